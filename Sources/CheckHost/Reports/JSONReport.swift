import CheckAPI

/// The JSON report (SPEC §6): one document, streamed result by result.
public struct JSONReport: StreamingReportRenderer {
    let context: ReportContext

    /// A renderer.
    public init(context: ReportContext) {
        self.context = context
    }

    public mutating func begin() -> [UInt8] {
        var writer = JSONWriter(indent: 2)
        writer.beginObject()
        writer.key("tool")
        JSONReport.writeTool(to: &writer)
        writer.key("plugins")
        JSONReport.writePlugins(context, to: &writer)
        if !context.refusals.isEmpty {
            writer.key("refusedPlugins")
            JSONReport.writeRefusals(context, to: &writer)
        }
        writer.key("results")
        writer.beginArray()
        // The array stays open; results follow.
        return writer.bytes
    }

    public func write(_ result: ApplicationResult, first: Bool, to output: inout JSONPieces) {
        output.append(first ? "\n    " : ",\n    ")
        output.write(indent: 2, depth: 2) { JSONReport.write(result, to: &$0, context: context) }
    }

    public mutating func finish(_ summary: ReportSummary) -> [UInt8] {
        var writer = JSONWriter(indent: 2, depth: 1)
        writer.key("summary")
        JSONReport.writeSummary(summary, to: &writer)
        return Array((summary.applications == 0 ? "],\n  " : "\n  ],\n  ").utf8) + writer.bytes + Array("\n}\n".utf8)
    }

    static func writeTool(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("name", Tool.name)
        writer.field("version", Tool.version)
        writer.endObject()
    }

    static func writePlugins(_ context: ReportContext, to writer: inout JSONWriter) {
        writer.beginArray()
        for plugin in context.plugins {
            writer.beginObject()
            writer.field("id", plugin.id)
            writer.field("version", plugin.version)
            writer.field("abi", Int(context.abi[plugin.id] ?? 0))
            writer.endObject()
        }
        writer.endArray()
    }

    static func writeRefusals(_ context: ReportContext, to writer: inout JSONWriter) {
        writer.beginArray()
        for refusal in context.refusals {
            writer.beginObject()
            writer.field("file", refusal.file)
            writer.field("reason", refusal.reason)
            writer.endObject()
        }
        writer.endArray()
    }
    static func writeSummary(_ summary: ReportSummary, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("applications", summary.applications)
        writer.field("pass", summary.pass)
        writer.field("fail", summary.fail)
        writer.field("review", summary.review)
        writer.field("error", summary.error)
        writer.field("notApplicable", summary.notApplicable)
        writer.endObject()
    }

    /// Writes one application's result object.
    static func write(_ result: ApplicationResult, to writer: inout JSONWriter, context: ReportContext) {
        writer.beginObject()
        writer.field("application", result.application)
        writer.field("source", result.source)
        writer.field("asOf", result.asOf)
        writer.field("verdict", result.verdict.name)
        writer.key("plugins")
        writer.beginArray()
        // (By position: iterating copies each element, a retain apiece.)
        for index in result.plugins.indices {
            writer.beginObject()
            writer.field("id", result.plugins[index].id)
            writer.field("verdict", result.plugins[index].verdict.name)
            writer.endObject()
        }
        writer.endArray()
        writer.key("findings")
        writer.beginArray()
        for index in result.findings.indices { write(result.findings[index], to: &writer, language: context.language) }
        writer.endArray()
        if !result.inputProblems.isEmpty {
            writer.key("inputErrors")
            writer.beginArray()
            for located in result.inputProblems {
                writer.beginObject()
                if let line = located.line { writer.field("line", line) }
                if let column = located.column { writer.field("column", column) }
                writer.field("path", located.problem.path)
                writer.field("expected", located.problem.expected)
                writer.field("found", located.problem.found)
                writer.endObject()
            }
            writer.endArray()
        }
        if context.strictInput && !result.unknownMembers.isEmpty {
            writer.key("unknownMembers")
            writer.beginArray()
            for path in result.unknownMembers { writer.string(path) }
            writer.endArray()
        }
        writer.endObject()
    }

    static func write(_ finding: FindingReport, to writer: inout JSONWriter, language: Language) {
        writer.beginObject()
        let headWritten = writer.isCompact && finding.writeCompactHead(to: &writer)
        if !headWritten {
            writeHead(plugin: finding.plugin, rule: finding.rule, verdict: finding.verdict, to: &writer)
        }
        writer.key("message")
        finding.writeMessage(in: language, to: &writer)
        writer.key("evidence")
        finding.writeEvidence(to: &writer)
        writer.key("citations")
        writer.beginArray()
        finding.forEachCitation { index, position in
            if writer.isCompact {
                index.writeCompact(position, to: &writer)
            } else {
                let citation = index.entry(position)
                writeCitation(id: citation.id, citation: citation.citation, document: citation.document, to: &writer)
            }
        }
        writer.endArray()
        writer.endObject()
    }

    /// Writes a finding's first members: plugin, rule and verdict.
    static func writeHead(plugin: String, rule: String, verdict: Verdict, to writer: inout JSONWriter) {
        writer.field("plugin", plugin)
        writer.field("rule", rule)
        writer.field("verdict", verdict.name)
    }

    /// A finding's first members as compact JSON (`"plugin":…,"rule":…,"verdict":…`).
    static func compactHead(plugin: String, rule: String, verdict: Verdict) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writeHead(plugin: plugin, rule: rule, verdict: verdict, to: &writer)
        writer.endObject()
        return Array(writer.bytes.dropFirst().dropLast())
    }

    /// Writes one citation object (`ResolvedCitation` keeps it pre-written in compact form).
    static func writeCitation(id: String, citation: Citation, document: PolicyDocument, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("id", id)
        writer.field("document", document.title)
        writer.field("number", document.number)
        writer.field("clause", citation.clause)
        writer.field("quote", citation.quote)
        if citation.textStatus != .verbatim { writer.field("textStatus", citation.textStatus.rawValue) }
        if let source = citation.source { writer.field("source", source) }
        writer.endObject()
    }
}


/// JSON Lines: one compact JSON object per result, written as soon as it is known, then a
/// final `{"summary": …}` line. For streaming huge batches.
public struct JSONLinesReport: StreamingReportRenderer {
    let context: ReportContext

    /// A renderer.
    public init(context: ReportContext) {
        self.context = context
    }

    public mutating func begin() -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("tool")
        JSONReport.writeTool(to: &writer)
        writer.key("plugins")
        JSONReport.writePlugins(context, to: &writer)
        if !context.refusals.isEmpty {
            writer.key("refusedPlugins")
            JSONReport.writeRefusals(context, to: &writer)
        }
        writer.endObject()
        return writer.bytes + [0x0A]
    }

    public func write(_ result: ApplicationResult, first: Bool, to output: inout JSONPieces) {
        output.write { JSONReport.write(result, to: &$0, context: context) }
        output.append("\n")
    }

    public mutating func finish(_ summary: ReportSummary) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("summary")
        JSONReport.writeSummary(summary, to: &writer)
        writer.endObject()
        return writer.bytes + [0x0A]
    }
}
