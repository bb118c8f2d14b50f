import CheckAPI

/// The `check plugins` listing: every loaded plugin with its rules, then every refused file.
public enum PluginListing {
    /// The listing as text.
    public static func render(_ session: CheckSession, language: Language) -> String {
        var text = ""
        for plugin in session.plugins {
            let description = plugin.description
            text += "\(description.id) \(description.version)  (ABI v\(plugin.abiVersion))  \(language.pick(description.title))\n"
            text += "  " + language.pick(zh: "文件：", en: "file: ") + plugin.file + "\n"
            if plugin.isSerialised {
                text += "  " + language.pick(zh: "未声明可并发：每次只评估一个申请（与 --jobs 无关）\n",
                                             en: "not declared thread-safe: evaluates one application at a time, whatever --jobs says\n")
            }
            if !description.datasets.isEmpty {
                text += "  " + language.pick(zh: "规则数据：", en: "rule data: ") + description.datasets.map { $0 + "/" }.joined(separator: ", ") + "\n"
            }
            for rule in description.rules {
                text += "  - \(rule.id): \(language.pick(rule.title))\n"
            }
        }
        if session.plugins.isEmpty { text += language.pick(zh: "未加载任何插件。\n", en: "No plugin loaded.\n") }
        for refusal in session.refusals { text += "! \(refusal)\n" }
        return text
    }
}
