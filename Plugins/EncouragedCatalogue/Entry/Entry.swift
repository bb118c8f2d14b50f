import CheckAPI
import EncouragedCataloguePlugin

/// The entry point the host looks up in the plugin's library (`check_plugin_entry`).
@_cdecl("check_plugin_entry") public func entry() -> UnsafeRawPointer { exportPlugin(EncouragedCataloguePlugin.self) }
