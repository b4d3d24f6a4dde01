package org.openkcm.keystore.webconsole.internal;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import java.util.Set;

/**
 * Which bundle operations the console may perform. Installing, updating and uninstalling code
 * inside the JVM that holds the root key and the plaintext caches is off unless {@value #ENV}=true;
 * starting, stopping and refreshing an installed bundle stay possible.
 */
final class BundleActions {
  static final String ENV = "OPENKCM_CONSOLE_BUNDLE_INSTALL";
  private static final Set<String> ALWAYS_ALLOWED = Set.of("start", "stop", "refresh");

  private final boolean installEnabled;

  BundleActions(boolean installEnabled) {
    this.installEnabled = installEnabled;
  }

  static BundleActions from(Map<String, String> env) {
    return new BundleActions("true".equalsIgnoreCase(String.valueOf(env.get(ENV)).trim()));
  }

  boolean installEnabled() {
    return installEnabled;
  }

  /**
   * @param path the request path inside the console ({@code /bundles/12})
   * @return null when allowed, else why not
   */
  String problem(String path, HttpServletRequest request) {
    if (installEnabled
        || !(path.equals("/bundles")
            || path.startsWith("/bundles/")
            || path.startsWith("/bundles.")
            || path.equals("/install")
            || path.startsWith("/install/"))) {
      return null;
    }
    String type = String.valueOf(request.getContentType()).toLowerCase(java.util.Locale.ROOT);
    if (!type.startsWith("application/x-www-form-urlencoded")) {
      return "installing bundles through the console is disabled (set "
          + ENV
          + "=true to allow it)";
    }
    String action = request.getParameter("action");
    if (action != null && ALWAYS_ALLOWED.contains(action)) {
      return null;
    }
    return "bundle action '"
        + org.openkcm.keystore.model.Limits.printable(String.valueOf(action))
        + "' is disabled in the console (install, update and uninstall need "
        + ENV
        + "=true)";
  }
}
