package org.openkcm.keystore.openbao.internal;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.openkcm.keystore.model.ConfigDurations;
import org.openkcm.keystore.model.InvalidConfigurationException;

/**
 * Validated, immutable connection settings shared by the KV backend and the Transit provider.
 * Secrets (token, AppRole secret id) are held but never printed: {@link #toString()} redacts them.
 */
final class BaoSettings {
  /** Mount and prefix paths: segments of letters, digits, '.', '_', '-', joined by '/'; no "..". */
  private static final Pattern PATH =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*");

  enum AuthMethod {
    TOKEN,
    APPROLE
  }

  /** The first node: the one tried first, and the one named where one address is shown. */
  final URI address;

  /**
   * Every node of the cluster, in the configured order (one entry for a single server or a
   * load-balanced address). All share one scheme, so one TLS context serves them all.
   */
  final List<URI> addresses;

  final AuthMethod authMethod;
  final String token;
  final String roleId;
  final String secretId;
  final String approleMount;
  final String namespace;
  final String mount;
  final Path caFile;
  final Path clientCertFile;
  final Path clientKeyFile;
  final Duration connectTimeout;
  final Duration readTimeout;

  private BaoSettings(Builder b) {
    this.addresses = parseAddresses(b.address);
    this.address = addresses.get(0);
    this.authMethod = parseAuth(b.authMethod);
    this.token = blankToNull(b.token);
    this.roleId = blankToNull(b.roleId);
    this.secretId = blankToNull(b.secretId);
    this.approleMount =
        checkPath("approleMount", b.approleMount == null ? "approle" : b.approleMount);
    this.namespace =
        blankToNull(b.namespace) == null ? null : checkPath("namespace", b.namespace.trim());
    this.mount = checkPath("mount", b.mount);
    this.caFile = toPath(b.caFile);
    this.clientCertFile = toPath(b.clientCertFile);
    this.clientKeyFile = toPath(b.clientKeyFile);
    this.connectTimeout = positive("connectTimeout", b.connectTimeoutMillis);
    this.readTimeout = positive("readTimeout", b.readTimeoutMillis);
    if (authMethod == AuthMethod.TOKEN && token == null) {
      throw new IllegalArgumentException("token: is required when authMethod=token");
    }
    if (authMethod == AuthMethod.APPROLE && (roleId == null || secretId == null)) {
      throw new IllegalArgumentException("roleId, secretId: are required when authMethod=approle");
    }
    if ((clientCertFile == null) != (clientKeyFile == null)) {
      throw new IllegalArgumentException("clientCertFile, clientKeyFile: give both or neither");
    }
  }

  static Builder builder() {
    return new Builder();
  }

  static BaoSettings from(OpenBaoConfig c) {
    return from(c, new BaoEnvironment(Map.of()));
  }

  /** The configuration with OpenBao's environment variables laid over it (the environment wins). */
  static BaoSettings from(OpenBaoConfig c, BaoEnvironment env) {
    return env.apply(
            builder()
                .address(c.address())
                .token(c.token())
                .authMethod(c.authMethod())
                .roleId(c.roleId())
                .secretId(c.secretId())
                .approleMount(c.approleMount())
                .namespace(c.namespace())
                .mount(c.mount())
                .tls(c.caFile(), c.clientCertFile(), c.clientKeyFile())
                .timeouts(
                    millis("connectTimeout", c.connectTimeout()),
                    millis("readTimeout", c.readTimeout())),
            c.address())
        .build();
  }

  static BaoSettings from(TransitConfig c) {
    return from(c, new BaoEnvironment(Map.of()));
  }

  static BaoSettings from(TransitConfig c, BaoEnvironment env) {
    return env.apply(
            builder()
                .address(c.address())
                .token(c.token())
                .authMethod(c.authMethod())
                .roleId(c.roleId())
                .secretId(c.secretId())
                .approleMount(c.approleMount())
                .namespace(c.namespace())
                .mount(c.mount())
                .tls(c.caFile(), c.clientCertFile(), c.clientKeyFile())
                .timeouts(
                    millis("connectTimeout", c.connectTimeout()),
                    millis("readTimeout", c.readTimeout())),
            c.address())
        .build();
  }

  /**
   * A duration field in the configuration's one convention ({@code 2s}, {@code 500ms}), as whole
   * milliseconds of at most 10 minutes.
   */
  static int millis(String field, String text) {
    try {
      long ms = ConfigDurations.parse(field, text).toMillis();
      if (ms > 600_000) {
        throw new IllegalArgumentException(field + ": must be at most 10m");
      }
      return (int) ms;
    } catch (InvalidConfigurationException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /**
   * Checks a path setting (mount, prefix, namespace) so it can never climb out of where it points.
   */
  static String checkPath(String field, String value) {
    String v = value == null ? "" : value.trim();
    while (v.endsWith("/")) {
      v = v.substring(0, v.length() - 1);
    }
    if (!PATH.matcher(v).matches() || v.contains("..")) {
      throw new IllegalArgumentException(
          field
              + ": '"
              + org.openkcm.keystore.model.Limits.printable(value)
              + "' must be segments of letters, digits, '.', '_' or '-' separated by '/'");
    }
    return v;
  }

  /**
   * Several nodes are given comma-separated ({@code BAO_ADDR} and the {@code address} setting
   * alike); each must be a plain {@code http(s)://host:port}, all with the same scheme, none twice.
   */
  private static List<URI> parseAddresses(String addresses) {
    List<URI> out = new ArrayList<>();
    for (String one : (addresses == null ? "" : addresses).split(",", -1)) {
      URI uri = parseAddress(one);
      if (!out.isEmpty() && !out.get(0).getScheme().equalsIgnoreCase(uri.getScheme())) {
        throw new IllegalArgumentException(
            "address: every node must use the same scheme (http or https), was '" + uri + "'");
      }
      if (out.contains(uri)) {
        throw new IllegalArgumentException("address: '" + uri + "' is given twice");
      }
      out.add(uri);
    }
    return List.copyOf(out);
  }

  private static URI parseAddress(String address) {
    try {
      URI uri = URI.create(address == null ? "" : address.trim().replaceAll("/+$", ""));
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https"))
          || uri.getHost() == null
          || (uri.getPath() != null && !uri.getPath().isEmpty())
          || uri.getUserInfo() != null) {
        throw new IllegalArgumentException(
            "address: expected http(s)://host:port, was '" + uri + "'");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("address: expected http(s)://host:port", e);
    }
  }

  private static AuthMethod parseAuth(String value) {
    String v = value == null || value.isBlank() ? "token" : value.trim().toLowerCase(Locale.ROOT);
    switch (v) {
      case "token":
        return AuthMethod.TOKEN;
      case "approle":
        return AuthMethod.APPROLE;
      default:
        throw new IllegalArgumentException(
            "authMethod: expected token or approle, was '"
                + org.openkcm.keystore.model.Limits.printable(value)
                + "'");
    }
  }

  private static Duration positive(String field, int millis) {
    if (millis < 1) {
      throw new IllegalArgumentException(field + ": must be at least 1, was " + millis);
    }
    return Duration.ofMillis(millis);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  private static Path toPath(String s) {
    return blankToNull(s) == null ? null : Path.of(s.trim());
  }

  @Override
  public String toString() {
    return "BaoSettings["
        + addresses.stream().map(URI::toString).collect(Collectors.joining(","))
        + " auth="
        + authMethod.name().toLowerCase(Locale.ROOT)
        + (namespace != null ? " namespace=" + namespace : "")
        + " mount="
        + mount
        + (caFile != null ? " ca=" + caFile : "")
        + (clientCertFile != null ? " mTLS" : "")
        + " connect="
        + connectTimeout.toMillis()
        + "ms read="
        + readTimeout.toMillis()
        + "ms token=<redacted>]";
  }

  /**
   * Collects raw settings; {@link #build()} validates them and throws {@link
   * IllegalArgumentException}.
   */
  static final class Builder {
    private String address;
    private String authMethod = "token";
    private String token;
    private String roleId;
    private String secretId;
    private String approleMount = "approle";
    private String namespace;
    private String mount;
    private String caFile;
    private String clientCertFile;
    private String clientKeyFile;
    private int connectTimeoutMillis = 2000;
    private int readTimeoutMillis = 5000;

    Builder address(String v) {
      this.address = v;
      return this;
    }

    Builder authMethod(String v) {
      this.authMethod = v;
      return this;
    }

    Builder token(String v) {
      this.token = v;
      return this;
    }

    Builder roleId(String v) {
      this.roleId = v;
      return this;
    }

    Builder secretId(String v) {
      this.secretId = v;
      return this;
    }

    Builder approleMount(String v) {
      this.approleMount = v;
      return this;
    }

    Builder namespace(String v) {
      this.namespace = v;
      return this;
    }

    Builder mount(String v) {
      this.mount = v;
      return this;
    }

    Builder tls(String ca, String clientCert, String clientKey) {
      this.caFile = ca;
      this.clientCertFile = clientCert;
      this.clientKeyFile = clientKey;
      return this;
    }

    Builder timeouts(int connectMillis, int readMillis) {
      this.connectTimeoutMillis = connectMillis;
      this.readTimeoutMillis = readMillis;
      return this;
    }

    BaoSettings build() {
      return new BaoSettings(this);
    }
  }
}
