package org.openkcm.keystore.webconsole.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.apache.felix.webconsole.servlet.AbstractServlet;
import org.openkcm.keystore.api.BackendStatus;
import org.openkcm.keystore.api.KeyService;
import org.openkcm.keystore.api.KeystoreAdmin;
import org.openkcm.keystore.api.MigrationReport;
import org.openkcm.keystore.audit.Actor;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Limits;
import org.openkcm.keystore.spi.Keystore;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Web Console page "Keystore" ({@code /system/console/keystore}). GET renders the page; the two
 * actions (re-check a backend's health, migrate keys) are POSTs carrying a per-runtime CSRF token
 * and answer with a redirect back to the page (post/redirect/get), where the outcome is shown once.
 * Every service is optional and dynamic: the page works, and says "not available", while the core
 * is absent or restarting.
 */
@Component(
    service = Servlet.class,
    property = {
      "felix.webconsole.label=keystore",
      "felix.webconsole.title=Keystore",
      "felix.webconsole.category=OpenKCM"
    })
public final class KeystorePlugin extends AbstractServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(KeystorePlugin.class);

  @Reference(
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  transient volatile KeyService keyService;

  @Reference(
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  transient volatile KeystoreAdmin keystoreAdmin;

  /** References only: the page reads their names and never calls an unguarded service. */
  @Reference(
      service = Keystore.class,
      cardinality = ReferenceCardinality.MULTIPLE,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  transient volatile List<ServiceReference<Keystore>> keystores;

  private final String csrfToken = newToken();
  private final transient ActionResults results = new ActionResults();
  private final transient ActionLog log = new ActionLog();

  /** The per-runtime token the page's action forms carry. */
  String csrfToken() {
    return csrfToken;
  }

  @Override
  public void renderContent(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    setNoCache(response);
    String flash = results.take(request.getParameter("r"));
    Html html = new Html(response.getWriter());
    if (request.getParameter("key") != null) {
      new KeyView(html, keyService, keystoreAdmin, csrfToken)
          .render(flash, request.getParameter("key").trim());
    } else if (request.getParameter("tree") != null) {
      new HierarchyView(html, keyService).render(request.getParameter("tree").trim());
    } else {
      new KeystorePage(html, keyService, keystoreAdmin, Backends.names(keystores), csrfToken)
          .render(
              flash, SearchForm.of(request::getParameter), request.getParameter("search") != null);
    }
  }

  /**
   * Runs one action, as the logged-in console user (the audit trail's actor), and redirects to the
   * page that shows its outcome once: the key's page for a key action, else the Keystore page.
   * Every action, done or refused, is recorded by {@link ActionLog}.
   */
  @Override
  public void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
    if (!sameOrigin(request) || !tokenMatches(request.getParameter("csrf"))) {
      LOG.warn(
          "Rejected a console action without a valid CSRF token from {}", request.getRemoteAddr());
      response.sendError(HttpServletResponse.SC_FORBIDDEN, "missing or invalid CSRF token");
      return;
    }
    String action = String.valueOf(request.getParameter("action"));
    String key = pageOf(request);
    String outcome;
    boolean ok = false;
    try (Actor.Scope scope = Actor.enter(auditActor(request))) {
      if (KeyActions.handles(action)) {
        KeyActions.ActionOutcome done = performOnKey(action, request);
        key = done.key().id();
        outcome = done.message();
      } else {
        outcome = perform(request);
      }
      ok = true;
    } catch (KeystoreException | RuntimeException e) {
      outcome = "Failed: " + e.getClass().getSimpleName() + ": " + e.getMessage();
    }
    log.record(
        new ActionLog.Entry(actor(request), request.getRemoteAddr(), action, key, ok, outcome));
    String page = key.isEmpty() ? "keystore?" : "keystore?key=" + Html.uri(key) + "&";
    response.sendRedirect(page + "r=" + Html.uri(results.put(outcome)));
  }

  private KeyActions.ActionOutcome performOnKey(String action, HttpServletRequest request)
      throws KeystoreException {
    KeyService keys = keyService;
    if (keys == null) {
      throw new BackendUnavailableException(
          "core", "KeyService " + KeystorePage.NOT_AVAILABLE, null);
    }
    return new KeyActions(keys).perform(action, request::getParameter);
  }

  /**
   * @return the key whose page a refused action returns to (the form's key, else its page)
   */
  private static String pageOf(HttpServletRequest request) {
    for (String name : new String[] {"back", "key"}) {
      String v = request.getParameter(name);
      String id = v == null ? "" : v.trim().replaceFirst("@\\d+$", "");
      if (Limits.isValidId(id)) {
        return id;
      }
    }
    return "";
  }

  /** The audit trail's actor: {@code console:<user>}, or {@code console} when no user is known. */
  private static String auditActor(HttpServletRequest request) {
    String user = request.getRemoteUser();
    Object attribute = request.getAttribute(ConsoleSecurityProvider.REMOTE_USER);
    String who = user != null ? user : attribute != null ? attribute.toString() : null;
    return who == null ? "console" : "console:" + who;
  }

  private static String actor(HttpServletRequest request) {
    String user = request.getRemoteUser();
    Object attribute = request.getAttribute(ConsoleSecurityProvider.REMOTE_USER);
    return user != null
        ? user
        : attribute != null ? attribute.toString() : "(unknown console user)";
  }

  private String perform(HttpServletRequest request) throws KeystoreException {
    KeystoreAdmin admin = keystoreAdmin;
    if (admin == null) {
      return "KeystoreAdmin " + KeystorePage.NOT_AVAILABLE;
    }
    String action = String.valueOf(request.getParameter("action"));
    switch (action) {
      case "checkHealth":
        {
          BackendStatus s = admin.checkHealth(request.getParameter("backend"));
          return "Health of "
              + s.name()
              + ": "
              + s.state()
              + (s.detail().isEmpty() ? "" : " (" + s.detail() + ")")
              + " in "
              + s.latency().toMillis()
              + " ms";
        }
      case "migrate":
        {
          String target = request.getParameter("target");
          boolean force = "true".equals(request.getParameter("force"));
          MigrationReport r =
              admin.migrate(
                  KeystorePage.filterOf(SearchForm.of(request::getParameter)), target, force);
          return "Migration to "
              + r.target()
              + ": "
              + r.moved()
              + " moved, "
              + r.skipped()
              + " skipped, "
              + r.failed()
              + " failed"
              + (r.failures().isEmpty() ? "" : " " + r.failures());
        }
      default:
        return "Unknown action " + action;
    }
  }

  /**
   * Browsers send Origin on POST; when present it must name this host (no cross-site form posts).
   */
  private static boolean sameOrigin(HttpServletRequest request) {
    String origin = request.getHeader("Origin");
    if (origin == null || origin.isEmpty()) {
      return true;
    }
    try {
      URI u = URI.create(origin);
      String host = request.getHeader("Host");
      return host != null
          && host.equalsIgnoreCase(u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort()));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private boolean tokenMatches(String given) {
    return given != null
        && MessageDigest.isEqual(
            csrfToken.getBytes(StandardCharsets.US_ASCII),
            given.getBytes(StandardCharsets.US_ASCII));
  }

  private static String newToken() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
