// The NSStatusItem. It polls GET /api/statusbar every 5 s and shows the answer as given: `title`
// beside the icon, `tooltip`, and on right click a menu built from `menu`. Left click opens a
// popover with the dashboard's /dashboard/popover page, which updates itself live over SSE.
//
// Why a poll and not the SSE stream: it is one request, one decoder and one code path for every
// case (daemon down, restarting, upgraded), the document is already computed by the daemon, and a
// 5 s delay is fine for a menu bar figure; the popover is the live view.
import AppKit
import WebKit

/** The document of GET /api/statusbar (core/api/types.ts `StatusBar`). */
struct StatusBarDocument: Decodable {
    let title: String
    let tooltip: String
    let state: String
    let menu: [StatusBarItem]
}

/** One menu entry; `kind` is "info", "action", "link" or "separator". */
struct StatusBarItem: Decodable {
    let id: String
    let label: String
    let kind: String
    let enabled: Bool
    let action: StatusBarAction?
}

/** A POST (`method`, `path`, `body`), a URL to `open`, or `quit`: exactly one is set. */
struct StatusBarAction: Decodable {
    let method: String?
    let path: String?
    let body: [String: String]?
    let open: String?
    let quit: Bool?
}

private struct ApiErrorBody: Decodable {
    struct Detail: Decodable { let message: String }
    let error: Detail
}

final class StatusController: NSObject {
    private let api: URL
    private let onQuit: () -> Void
    private let session: URLSession
    private let statusItem = NSStatusBar.system.statusItem(withLength: NSStatusItem.variableLength)
    private let popover = NSPopover()
    private var timer: Timer?
    /** The items of the menu on screen, indexed by NSMenuItem.tag. */
    private var shown: [StatusBarItem] = []
    private var document: StatusBarDocument?

    init(api: URL, onQuit: @escaping () -> Void) {
        self.api = api
        self.onQuit = onQuit
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = 4
        config.connectionProxyDictionary = [:]  // loopback: never through a system proxy
        self.session = URLSession(configuration: config)
        super.init()
    }

    func start() {
        if let button = statusItem.button {
            button.title = "Lumen"
            button.target = self
            button.action = #selector(clicked(_:))
            _ = button.sendAction(on: [.leftMouseUp, .rightMouseUp])
        }
        popover.behavior = .transient
        popover.contentSize = NSSize(width: 400, height: 600)
        refresh()
        timer = Timer.scheduledTimer(withTimeInterval: 5, repeats: true) { [weak self] _ in
            self?.refresh()
        }
    }

    func stop() {
        timer?.invalidate()
        timer = nil
    }

    // MARK: The document

    private func refresh() {
        let url = api.appendingPathComponent("api/statusbar")
        session.dataTask(with: url) { [weak self] data, response, _ in
            var document: StatusBarDocument?
            if let data = data, (response as? HTTPURLResponse)?.statusCode == 200 {
                document = try? JSONDecoder().decode(StatusBarDocument.self, from: data)
            }
            DispatchQueue.main.async { self?.show(document) }
        }.resume()
    }

    /** Shows `document`, or that the daemon is not answering when it is nil. */
    private func show(_ document: StatusBarDocument?) {
        self.document = document
        guard let button = statusItem.button else { return }
        button.title = document?.title ?? "Lumen –"
        button.toolTip = document?.tooltip ?? "Lumen is not answering at \(api.absoluteString)"
    }

    // MARK: Clicks

    @objc private func clicked(_ sender: NSStatusBarButton) {
        let event = NSApp.currentEvent
        if event?.type == .rightMouseUp || event?.modifierFlags.contains(.control) == true {
            showMenu(from: sender)
        } else {
            togglePopover(from: sender)
        }
    }

    private func togglePopover(from button: NSStatusBarButton) {
        if popover.isShown {
            popover.performClose(nil)
            return
        }
        let web: WKWebView
        if let existing = popover.contentViewController?.view as? WKWebView {
            web = existing
        } else {
            web = WKWebView(frame: NSRect(x: 0, y: 0, width: 400, height: 600))
            let controller = NSViewController()
            controller.view = web
            popover.contentViewController = controller
        }
        // Loaded on every open: a page that found the daemon down shows it up again.
        web.load(URLRequest(url: api.appendingPathComponent("dashboard/popover")))
        popover.show(relativeTo: button.bounds, of: button, preferredEdge: .minY)
        NSApp.activate(ignoringOtherApps: true)
    }

    private func showMenu(from button: NSStatusBarButton) {
        let menu = NSMenu()
        menu.autoenablesItems = false  // `enabled` comes from the document
        shown = document?.menu ?? [
            StatusBarItem(id: "down", label: "Lumen is not answering", kind: "info", enabled: false,
                          action: nil),
            StatusBarItem(id: "quit", label: "Quit Lumen", kind: "action", enabled: true,
                          action: StatusBarAction(method: nil, path: nil, body: nil, open: nil,
                                                  quit: true)),
        ]
        for (index, entry) in shown.enumerated() {
            if entry.kind == "separator" {
                menu.addItem(.separator())
                continue
            }
            let item = NSMenuItem(title: entry.label, action: nil, keyEquivalent: "")
            if entry.action != nil {
                item.action = #selector(choose(_:))
                item.target = self
            }
            item.tag = index
            item.isEnabled = entry.enabled && entry.action != nil
            menu.addItem(item)
        }
        _ = menu.popUp(positioning: nil, at: NSPoint(x: 0, y: button.bounds.height + 4), in: button)
    }

    @objc private func choose(_ sender: NSMenuItem) {
        guard shown.indices.contains(sender.tag), let action = shown[sender.tag].action else {
            return
        }
        if action.quit == true {
            onQuit()
        } else if let open = action.open, let url = URL(string: open),
                  url.scheme == "http" || url.scheme == "https" {
            NSWorkspace.shared.open(url)
        } else if action.method == "POST", let path = action.path, path.hasPrefix("/api/") {
            post(path: path, body: action.body ?? [:])
        }
    }

    /** POSTs like a native client: a JSON body and no Origin header (URLSession sends none). */
    private func post(path: String, body: [String: String]) {
        guard let url = URL(string: path, relativeTo: api) else { return }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "content-type")
        request.httpBody = (try? JSONEncoder().encode(body)) ?? Data("{}".utf8)
        session.dataTask(with: request) { [weak self] data, response, error in
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            var failure: String?
            if !(200..<300).contains(status) {
                let body = data.flatMap { try? JSONDecoder().decode(ApiErrorBody.self, from: $0) }
                failure = body?.error.message ?? error?.localizedDescription
                    ?? "Lumen answered \(status)"
            }
            DispatchQueue.main.async {
                self?.refresh()
                if let failure = failure { self?.alert(failure) }
            }
        }.resume()
    }

    private func alert(_ message: String) {
        let alert = NSAlert()
        alert.messageText = "Lumen"
        alert.informativeText = message
        NSApp.activate(ignoringOtherApps: true)
        _ = alert.runModal()
    }
}
