import CCheckABI
import CheckAPI
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Why a plugin file was not loaded: one line naming the file and what was found versus expected.
public struct PluginRefusal: Error, Sendable, CustomStringConvertible {
    /// The plugin file.
    public let file: String
    /// What was wrong.
    public let reason: String
    /// Whether the rule data is at fault (a rule cites a clause it lacks, a dataset folder is
    /// missing, or the plugin could not open its datasets), not the plugin file.
    public let concernsRuleData: Bool

    /// A refusal of `file` for `reason`.
    public init(file: String, reason: String, concernsRuleData: Bool = false) {
        self.file = file
        self.reason = reason
        self.concernsRuleData = concernsRuleData
    }

    /// "refused plugin FILE: REASON".
    public var description: String { "refused plugin \(file): \(reason)" }
}

/// A plugin loaded through the C contract, opened with its rule data, ready to evaluate.
/// (Unchecked `Sendable`: nothing changes after `init`; the C pointers are the plugin's, and a
/// plugin that does not declare itself thread-safe is called only under `evaluationLock`.)
public final class LoadedPlugin: @unchecked Sendable {
    /// The shared library it came from.
    public let file: String
    /// Its metadata, read from the descriptor.
    public let description: PluginDescription
    let descriptor: UnsafePointer<check_plugin>
    let state: UnsafeMutableRawPointer?
    /// Held around every `evaluate` of a plugin that does not declare
    /// `CHECK_PLUGIN_THREAD_SAFE`, so that `--jobs` never runs it on two threads at once; nil
    /// for one that does.
    let evaluationLock: NSLock?
    /// The id as a C string that lives as long as the process, for the crash notice.
    let crashName: UnsafePointer<CChar>

    init(file: String, description: PluginDescription, descriptor: UnsafePointer<check_plugin>, state: UnsafeMutableRawPointer?) {
        self.file = file
        self.description = description
        self.descriptor = descriptor
        self.state = state
        evaluationLock = descriptor.pointee.flags & CHECK_PLUGIN_THREAD_SAFE == 0 ? NSLock() : nil
        crashName = UnsafePointer(strdup(description.id)!)
    }

    /// Whether the plugin declares that `evaluate` may run on several threads at once.
    public var isThreadSafe: Bool { evaluationLock == nil }

    /// The plugin id.
    public var id: String { description.id }
    /// The ABI version it was built for.
    public var abiVersion: UInt32 { descriptor.pointee.abi_version }
}

/// Finds, loads and checks plugins. Loading never unloads: a Swift plugin must not be
/// `dlclose`d (see docs/PLUGIN-ABI.md).
public enum PluginLoader {
    /// The file names the host considers in a plugin directory.
    public static func isCandidate(_ name: String) -> Bool {
        name.hasPrefix("libcheck-plugin-") && name.hasSuffix(".so")
    }

    /// The candidate plugin files in `directories`, in directory order then name order.
    public static func discover(in directories: [URL]) -> [URL] {
        var seen = Set<String>()
        var result: [URL] = []
        for directory in directories {
            let names = (FolderListing(directory.path)?.names ?? []).filter(isCandidate)
            for name in names {
                let url = directory.appendingPathComponent(name).standardizedFileURL
                let real = url.resolvingSymlinksInPath().path
                if seen.insert(real).inserted { result.append(url) }
            }
        }
        return result
    }

    /// The plugin files in `directories` whose names are not valid UTF-8, each shown with
    /// `\xNN` escapes: they cannot be opened by a name Swift can hold, so they are refused.
    static func undecodableCandidates(in directories: [URL]) -> [String] {
        directories.flatMap { directory in
            (FolderListing(directory.path)?.undecodable ?? []).filter(isCandidate).map { directory.appendingPathComponent($0).path }
        }
    }

    /// Loads `file`: the loading policy (ownership, permissions, allowlist), `dlopen`, the entry
    /// symbol, the ABI version and size (before anything else), the metadata, then `open` with
    /// the plugin's rule data.
    public static func load(_ file: URL, ruleBook: RuleBook, policy: PluginPolicy = .default) throws(PluginRefusal) -> LoadedPlugin {
        try load(file, policy: policy, hasCitation: { ruleBook.citations[$0] != nil }, datasetFiles: { ruleBook.datasets[$0] })
    }

    /// Loads `file` with its rule data from `datasetFiles` (nil: no rules root has that dataset);
    /// `hasCitation` says whether a citation id is in the rule data.
    static func load(_ file: URL, policy: PluginPolicy, hasCitation: (String) -> Bool,
                     datasetFiles: (String) -> [DatasetFile]?) throws(PluginRefusal) -> LoadedPlugin {
        let path = file.path
        func refuse(_ reason: String) -> PluginRefusal { PluginRefusal(file: path, reason: reason) }
        func refuseRuleData(_ reason: String) -> PluginRefusal { PluginRefusal(file: path, reason: reason, concernsRuleData: true) }
        // Opened once; checked, digested and loaded through the one descriptor.
        let opened: OpenedPluginFile
        switch OpenedPluginFile.open(path) {
        case .success(let file): opened = file
        case .failure(let reason): throw refuse(reason.text)
        }
        if let reason = policy.refusal(for: opened, name: file.lastPathComponent) { throw refuse(reason) }
        if let reason = loadDependencies(of: opened, ELFDynamicInfo(descriptor: opened.descriptor), policy: policy, depth: 0) { throw refuse(reason) }

        guard let handle = LoadedLibraryFiles.shared.load(opened, mode: RTLD_NOW | RTLD_LOCAL) else {
            throw refuse("not a loadable shared library (dlopen: \(LoadedLibraryFiles.lastError(loading: opened, shownAs: path)))")
        }
        guard let symbol = dlsym(handle, CHECK_ENTRY_SYMBOL) else {
            throw refuse("no symbol \(CHECK_ENTRY_SYMBOL): not a check plugin")
        }
        let entry = unsafeBitCast(symbol, to: check_plugin_entry_fn.self)
        guard let descriptor = entry() else { throw refuse("\(CHECK_ENTRY_SYMBOL)() returned NULL") }
        return try load(descriptor: descriptor, path: path, hasCitation: hasCitation, datasetFiles: datasetFiles)
    }

    /// Loads the plugin whose descriptor is `descriptor` (from a library's entry point, or an
    /// ``InProcessPlugin``'s), named `path` in messages: every check a plugin file's descriptor
    /// gets, then `open` with its rule data.
    static func load(descriptor: UnsafePointer<check_plugin>, path: String, hasCitation: (String) -> Bool,
                     datasetFiles: (String) -> [DatasetFile]?) throws(PluginRefusal) -> LoadedPlugin {
        func refuse(_ reason: String) -> PluginRefusal { PluginRefusal(file: path, reason: reason) }
        func refuseRuleData(_ reason: String) -> PluginRefusal { PluginRefusal(file: path, reason: reason, concernsRuleData: true) }
        // The version comes first: nothing else in the descriptor is read on a mismatch.
        let version = descriptor.withMemoryRebound(to: UInt32.self, capacity: 2) { $0[0] }
        guard version == CHECK_ABI_VERSION else {
            throw refuse("plugin ABI v\(version), host supports v\(CHECK_ABI_VERSION)")
        }
        let size = descriptor.withMemoryRebound(to: UInt32.self, capacity: 2) { $0[1] }
        guard size >= UInt32(MemoryLayout<check_plugin>.size) else {
            throw refuse("descriptor is \(size) bytes, ABI v\(CHECK_ABI_VERSION) needs \(MemoryLayout<check_plugin>.size)")
        }

        let raw = descriptor.pointee
        func text(_ pointer: UnsafePointer<CChar>?, _ field: String) throws(PluginRefusal) -> String {
            guard let pointer else { throw refuse("descriptor field \(field) is NULL") }
            guard let value = String(validatingCString: pointer) else { throw refuse("descriptor field \(field) is not valid UTF-8") }
            return value
        }
        func localized(_ zh: UnsafePointer<CChar>?, _ en: UnsafePointer<CChar>?, _ field: String) throws(PluginRefusal) -> Localized {
            let zh = try text(zh, field + "_zh")
            let en = try text(en, field + "_en")
            return Localized(zh: MessageText(zh), en: MessageText(en))
        }
        func list(_ pointer: UnsafePointer<UnsafePointer<CChar>?>?, _ field: String) throws(PluginRefusal) -> [String] {
            guard let pointer else { return [] }
            var values: [String] = []
            var index = 0
            while let item = pointer[index] {
                guard index < 10_000 else { throw refuse("descriptor list \(field) is not NULL-terminated") }
                guard let value = String(validatingCString: item) else { throw refuse("\(field)[\(index)] is not valid UTF-8") }
                values.append(value)
                index += 1
            }
            return values
        }

        let id = try text(raw.id, "id")
        guard isValidPluginID(id) else { throw refuse("plugin id \(JSONWriter.quoted(id)) must be lower-case letters, digits and '-'") }
        guard raw.open != nil, raw.evaluate != nil else { throw refuse("descriptor of \(id) lacks the open or evaluate function") }
        // An unknown bit may promise something this host does not honour: refuse rather than guess.
        guard raw.flags & ~CHECK_PLUGIN_KNOWN_FLAGS == 0 else {
            throw refuse("plugin \(id) sets descriptor flags 0x\(String(raw.flags, radix: 16)) this host does not know (it knows 0x\(String(CHECK_PLUGIN_KNOWN_FLAGS, radix: 16)): CHECK_PLUGIN_THREAD_SAFE); build it against this host's check_plugin.h")
        }
        guard raw.rule_count > 0, raw.rule_count < 1000, let rulesPointer = raw.rules else {
            throw refuse("plugin \(id) declares \(raw.rule_count) rules; expected 1 to 999")
        }
        var rules: [RuleDescription] = []
        for index in 0..<Int(raw.rule_count) {
            let rule = rulesPointer[index]
            let ruleID = try text(rule.id, "rules[\(index)].id")
            guard ruleID.hasPrefix(id + "/"), ruleID.count > id.count + 1 else {
                throw refuse("rule id \(JSONWriter.quoted(ruleID)) must start with \"\(id)/\"")
            }
            guard !rules.contains(where: { $0.id == ruleID }) else { throw refuse("rule id \(ruleID) is declared twice") }
            let citations = try list(rule.citations, "rules[\(index)].citations")
            for citation in citations where !hasCitation(citation) { throw refuseRuleData(unknownCitation(citation, rule: ruleID)) }
            rules.append(RuleDescription(
                id: ruleID,
                title: try localized(rule.title_zh, rule.title_en, "rules[\(index)].title"),
                description: try localized(rule.description_zh, rule.description_en, "rules[\(index)].description"),
                citations: citations))
        }
        let datasets = try list(raw.datasets, "datasets")
        var files: [DatasetFile] = []
        for dataset in datasets {
            guard let found = datasetFiles(dataset) else { throw refuseRuleData("plugin \(id) needs rule data folder \(dataset)/, which no rules root has") }
            files += found
        }
        let description = PluginDescription(
            id: id, version: try text(raw.version, "version"),
            title: try localized(raw.title_zh, raw.title_en, "title"),
            datasets: datasets, rules: rules)

        let state = try open(descriptor, datasets: files, id: id, refuse: refuseRuleData)
        return LoadedPlugin(file: path, description: description, descriptor: descriptor, state: state)
    }

    /// The system's library folders: what a plugin needs from them is the system's, loaded by
    /// the dynamic linker as usual.
    static let systemLibraryFolders = ["/lib", "/lib64", "/usr/lib", "/usr/lib64", "/usr/local/lib"]

    /// Loads, before `library`, what it needs from outside the system's library folders and
    /// not yet loaded (through `DT_RUNPATH`/`DT_RPATH`, `$ORIGIN` among them), each opened,
    /// checked like a plugin (owner, permissions, folders, the allowlist) and loaded through its
    /// descriptor; or says why one may not load. (Loaded through `/proc/self/fd/N`, a library's
    /// `$ORIGIN` is that folder, so the linker could not find them itself; it finds them loaded
    /// by their `DT_SONAME`, which such a library must therefore carry.)
    static func loadDependencies(of library: OpenedPluginFile, _ dynamic: ELFDynamicInfo?, policy: PluginPolicy, depth: Int) -> String? {
        guard let dynamic else { return nil }
        let origin = OpenedPluginFile.parent(of: library.realPath)
        for name in dynamic.needed where !name.contains("/") {
            if let loaded = dlopen(name, RTLD_LAZY | RTLD_NOLOAD) {
                dlclose(loaded)  // (only the count NOLOAD added)
                continue
            }
            for entry in dynamic.searchPath {
                let folder = entry.replacingOccurrences(of: "${ORIGIN}", with: origin).replacingOccurrences(of: "$ORIGIN", with: origin)
                let candidate = URL(fileURLWithPath: folder).appendingPathComponent(name).path
                guard FileManager.default.fileExists(atPath: candidate) else { continue }
                let real = URL(fileURLWithPath: candidate).resolvingSymlinksInPath().path
                if systemLibraryFolders.contains(where: { real.hasPrefix($0 + "/") }) { break }
                guard depth < 8 else { return "its dependencies nest more than 8 deep (at \(name))" }
                let dependency: OpenedPluginFile
                switch OpenedPluginFile.open(candidate, what: "the library it needs, \(candidate),") {
                case .success(let file): dependency = file
                case .failure(let reason): return "depends on \(name): \(reason.text)"
                }
                if let reason = policy.refusal(for: dependency, name: name) { return "depends on \(candidate): \(reason)" }
                let dependencyInfo = ELFDynamicInfo(descriptor: dependency.descriptor)
                guard dependencyInfo?.soname == name else {
                    return "depends on \(candidate), which does not carry the soname \(name) (link it with -Wl,-soname,\(name))"
                }
                if let reason = loadDependencies(of: dependency, dependencyInfo, policy: policy, depth: depth + 1) { return reason }
                guard LoadedLibraryFiles.shared.load(dependency, mode: RTLD_NOW | RTLD_LOCAL) != nil else {
                    return "depends on \(candidate), which does not load (dlopen: \(LoadedLibraryFiles.lastError(loading: dependency, shownAs: candidate)))"
                }
                break
            }
        }
        return nil
    }

    /// Why a plugin whose rule `rule` cites `citation`, which the rule data lacks, is refused.
    static func unknownCitation(_ citation: String, rule: String) -> String {
        "rule \(rule) cites \(citation), which is not in the rule data (see `check rules`)"
    }

    static func isValidPluginID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64 && id.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
            && id.first != "-"
    }

    private static func open(_ descriptor: UnsafePointer<check_plugin>, datasets: [DatasetFile], id: String,
                             refuse: (String) -> PluginRefusal) throws(PluginRefusal) -> UnsafeMutableRawPointer? {
        // Keep every C string and document alive for the duration of `open`.
        let names = datasets.map { strdup($0.dataset)! }
        let paths = datasets.map { strdup($0.path)! }
        defer {
            names.forEach { free($0) }
            paths.forEach { free($0) }
        }
        // Each file's document as it is held, uncopied: its buffers are pinned for the call by
        // nesting one `withCDocument` per file. (A copy per plugin and file cost more than the
        // plugins' own reading of a whole catalogue; and an in-process plugin that writes
        // through these `const` pointers could as well write anywhere else in the process.)
        var documents: [check_document] = []
        documents.reserveCapacity(datasets.count)
        func pinned<Result>(from index: Int, _ body: () -> Result) -> Result {
            guard index < datasets.count else { return body() }
            return datasets[index].document.withCDocument { document in
                documents.append(document.pointee)
                return pinned(from: index + 1, body)
            }
        }
        var errorBuffer = [CChar](repeating: 0, count: 4096)
        var state: UnsafeMutableRawPointer? = nil
        let status: Int32 = pinned(from: 0) { documents.withUnsafeBufferPointer { documentBuffer in
            var files: [check_dataset_file] = []
            for index in datasets.indices {
                files.append(check_dataset_file(dataset: names[index], path: paths[index], document: documentBuffer.baseAddress! + index))
            }
            return files.withUnsafeBufferPointer { fileBuffer in
                errorBuffer.withUnsafeMutableBufferPointer { errorPointer in
                    var arguments = check_open_args(
                        struct_size: UInt32(MemoryLayout<check_open_args>.size), file_count: UInt32(files.count),
                        files: fileBuffer.baseAddress, error: errorPointer.baseAddress, error_capacity: errorPointer.count)
                    return descriptor.pointee.open(descriptor.pointee.context, &arguments, &state)
                }
            }
        } }
        guard status == 0 else {
            let bytes = errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            let message = String(validating: bytes, as: UTF8.self) ?? "(message not valid UTF-8)"
            throw refuse("plugin \(id) could not open its rule data: \(message.isEmpty ? "no reason given" : message)")
        }
        return state
    }
}
