import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A plugin file (or a library it needs) opened once: every check — regular file, owner,
/// permissions, every folder on its real path, the allowlist digest — is made on this
/// descriptor, and the library is loaded from it (`/proc/self/fd/N`), so the bytes checked are
/// the bytes loaded: swapping the file, or a symlink on its path, between the checks and the
/// load changes nothing (SPEC §9).
final class OpenedPluginFile {
    /// The path it was found at, for messages.
    let path: String
    /// The open descriptor, closed when this is released (`LoadedLibraryFiles` keeps the ones
    /// libraries were loaded through).
    let descriptor: Int32
    /// Its status, from the descriptor.
    let info: stat
    /// Where it really is (symlinks resolved), read from the descriptor.
    let realPath: String

    private init(path: String, descriptor: Int32, info: stat, realPath: String) {
        self.path = path
        self.descriptor = descriptor
        self.info = info
        self.realPath = realPath
    }

    deinit { close(descriptor) }

    /// The path `dlopen` loads exactly this open file through.
    var loadPath: String { "/proc/self/fd/\(descriptor)" }

    /// Opens `path` for checking and loading, or says why it cannot be: not a regular file (a
    /// FIFO, which would block a plain open, a device, a folder), or a file or a folder on its
    /// real path that others can write to or that belongs to another user.
    static func open(_ path: String, what: String = "the file") -> Result<OpenedPluginFile, PluginRefusalReason> {
        // Non-blocking: opening a FIFO for reading would otherwise wait for a writer forever.
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard descriptor >= 0 else { return .failure(.init("cannot open \(what): \(String(cString: strerror(errno)))")) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            return .failure(.init("cannot stat \(what): \(reason)"))
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            return .failure(.init("\(what) is not a regular file (\(fileKind(info.st_mode))); only regular files load"))
        }
        let opened = OpenedPluginFile(path: path, descriptor: descriptor, info: info, realPath: realPath(of: descriptor) ?? path)
        if let problem = ownershipProblem(info, what: what) { return .failure(.init(problem)) }
        // Every folder from the file's own up to the root: a folder another user can write to
        // lets that user replace what is in it.
        let ownFolder = parent(of: opened.realPath)
        var folder = ownFolder
        while true {
            var folderInfo = stat()
            guard stat(folder, &folderInfo) == 0 else { return .failure(.init("cannot stat the folder \(folder) on its path")) }
            if let problem = ownershipProblem(folderInfo, what: folder == ownFolder ? "its folder \(folder)" : "the folder \(folder) on its path", folder: true) {
                return .failure(.init(problem))
            }
            if folder == "/" { break }
            folder = parent(of: folder)
        }
        return .success(opened)
    }

    /// The folder holding `path` (an absolute path without symlinks, as `realPath` is): "/" for
    /// anything directly under the root.
    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    /// The digest of the open file's bytes, read through the descriptor a block at a time (a
    /// huge file costs time, not memory), or nil past `limit` bytes.
    func sha256(limit: Int) -> String? {
        guard info.st_size <= limit else { return nil }
        var digest = SHA256()
        var block = [UInt8](repeating: 0, count: 1 << 16)
        var offset: off_t = 0
        while true {
            let count = block.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, offset) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { break }
            digest.update(Array(block[0..<count]))
            offset += off_t(count)
            guard offset <= limit else { return nil }
        }
        return digest.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The path the descriptor's file is at, symlinks resolved.
    static func realPath(of descriptor: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/fd/\(descriptor)", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func fileKind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: "a FIFO"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFDIR: "a folder"
        case S_IFSOCK: "a socket"
        default: "not a regular file"
        }
    }

    /// Why a file or folder with `info` may not be trusted, if it may not: writable by others
    /// (a folder only where its sticky bit does not stop others replacing its entries), or
    /// owned by a user other than the one running check and root.
    static func ownershipProblem(_ info: stat, what: String, folder: Bool = false) -> String? {
        let mode = info.st_mode & 0o7777
        if mode & UInt32(S_IWOTH) != 0 && !(folder && mode & UInt32(S_ISVTX) != 0) {
            return "\(what) is world-writable (mode \(String(mode, radix: 8))); remove write permission for others (chmod o-w)"
        }
        let user = getuid()
        if info.st_uid != user && info.st_uid != 0 {
            return "\(what) is owned by uid \(info.st_uid), not by the user running check (uid \(user)) or root"
        }
        return nil
    }
}

/// The files libraries were loaded from, by device and inode, each kept open for the life of
/// the process. The dynamic linker knows a library loaded through `/proc/self/fd/N` by that
/// name: were N closed and given to another file, `dlopen` of the same name would hand back the
/// library already loaded instead of the new file. So a file loaded before is loaded again
/// through its first descriptor (the same library, as the linker would find by its inode
/// anyway), and a new file through its own, which is then kept: one descriptor per distinct
/// library, however often plugins are loaded (plugins are never unloaded).
/// (Unchecked `Sendable`: the table is read and written only under `lock`.)
final class LoadedLibraryFiles: @unchecked Sendable {
    /// The one table of the process.
    static let shared = LoadedLibraryFiles()

    private struct Identity: Hashable {
        let device: UInt64
        let inode: UInt64
    }
    private let lock = NSLock()
    private var files: [Identity: OpenedPluginFile] = [:]

    /// Why the last `load` failed, as `dlerror()` says it, naming the file by `shownAs` (the
    /// linker names it by the descriptor's path, which the user never gave).
    static func lastError(loading file: OpenedPluginFile, shownAs name: String) -> String {
        (dlerror().map { String(cString: $0) } ?? "unknown error").replacingOccurrences(of: file.loadPath, with: name)
    }

    /// `dlopen`s exactly the bytes of `file` (or the library already loaded from the same
    /// file, which it is, as the file is held open); nil with `dlerror()` set if it does not load.
    func load(_ file: OpenedPluginFile, mode: Int32) -> UnsafeMutableRawPointer? {
        let identity = Identity(device: UInt64(file.info.st_dev), inode: UInt64(file.info.st_ino))
        lock.lock()
        defer { lock.unlock() }
        if let earlier = files[identity] { return dlopen(earlier.loadPath, mode) }
        guard let handle = dlopen(file.loadPath, mode) else { return nil }
        files[identity] = file
        return handle
    }
}

/// Why a file may not load, in words.
struct PluginRefusalReason: Error {
    let text: String
    init(_ text: String) { self.text = text }
}

/// What an ELF shared library needs from the dynamic linker: its `DT_NEEDED` names, where it
/// asks for them to be looked up (`DT_RUNPATH`, or `DT_RPATH`), and its own `DT_SONAME`.
/// Read from the descriptor (ELF64, little-endian: the machines check runs on); nil for
/// anything else, which `dlopen` then judges.
struct ELFDynamicInfo {
    var needed: [String] = []
    var searchPath: [String] = []
    var soname: String?

    init?(descriptor: Int32) {
        func read(_ offset: Int, _ count: Int) -> [UInt8]? {
            guard count >= 0, count < 1 << 24 else { return nil }
            var bytes = [UInt8](repeating: 0, count: count)
            let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, off_t(offset)) }
            return got == count ? bytes : nil
        }
        func integer(_ bytes: [UInt8], _ at: Int, _ size: Int) -> Int {
            var value = 0
            for index in (0..<size).reversed() { value = value << 8 | Int(bytes[at + index]) }
            return value
        }
        guard let header = read(0, 64), header[0..<4].elementsEqual([0x7F, 0x45, 0x4C, 0x46]), header[4] == 2, header[5] == 1 else { return nil }
        let programOffset = integer(header, 32, 8), entrySize = integer(header, 54, 2), entryCount = integer(header, 56, 2)
        guard entrySize >= 56, entryCount < 512, let table = read(programOffset, entrySize * entryCount) else { return nil }
        var loads: [(address: Int, offset: Int, size: Int)] = []
        var dynamic: (offset: Int, size: Int)? = nil
        for index in 0..<entryCount {
            let base = index * entrySize
            let type = integer(table, base, 4)
            if type == 1 { loads.append((integer(table, base + 16, 8), integer(table, base + 8, 8), integer(table, base + 32, 8))) }
            if type == 2 { dynamic = (integer(table, base + 8, 8), integer(table, base + 32, 8)) }
        }
        guard let dynamic, let entries = read(dynamic.offset, dynamic.size) else { return nil }
        var neededOffsets: [Int] = [], runpath: Int?, rpath: Int?, soname: Int?, stringTable: Int?, stringSize = 0
        for index in 0..<(entries.count / 16) {
            let tag = integer(entries, index * 16, 8), value = integer(entries, index * 16 + 8, 8)
            switch tag {
            case 0: break
            case 1: neededOffsets.append(value)
            case 5: stringTable = value
            case 10: stringSize = value
            case 14: soname = value
            case 15: rpath = value
            case 29: runpath = value
            default: continue
            }
            if tag == 0 { break }
        }
        // DT_STRTAB is an address: the file offset is found through the segment holding it.
        guard let address = stringTable, let segment = loads.first(where: { address >= $0.address && address < $0.address + $0.size }),
              let strings = read(address - segment.address + segment.offset, min(stringSize, 1 << 20)) else { return nil }
        func string(_ offset: Int) -> String? {
            guard offset < strings.count, let end = strings[offset...].firstIndex(of: 0) else { return nil }
            return String(decoding: strings[offset..<end], as: UTF8.self)
        }
        needed = neededOffsets.compactMap(string)
        searchPath = (runpath ?? rpath).flatMap(string).map { $0.split(separator: ":").map(String.init) } ?? []
        self.soname = soname.flatMap(string)
    }
}
