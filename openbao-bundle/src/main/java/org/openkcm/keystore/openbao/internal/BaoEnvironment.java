package org.openkcm.keystore.openbao.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenBao's own environment variables, read by this bundle itself so that secrets never pass
 * through ConfigAdmin (which persists configurations: the Felix cache, Karaf's {@code data/},
 * FileInstall's {@code etc/*.cfg} write-back). The environment wins over any configuration, so a
 * Web Console or {@code .cfg} edit can neither drop an environment-provided token nor send it to
 * another address: {@value #ADDR}, {@value #NAMESPACE}, {@value #TOKEN} or the file named by
 * {@value #TOKEN_FILE}, and for AppRole {@value #SECRET_ID} or {@value #SECRET_ID_FILE}.
 */
final class BaoEnvironment {
  static final String ADDR = "BAO_ADDR";
  static final String NAMESPACE = "BAO_NAMESPACE";
  static final String TOKEN = "BAO_TOKEN";
  static final String TOKEN_FILE = "BAO_TOKEN_FILE";
  static final String SECRET_ID = "BAO_SECRET_ID";
  static final String SECRET_ID_FILE = "BAO_SECRET_ID_FILE";

  /**
   * The core's test hook, honoured here too: in-container tests stay hermetic on a host with
   * BAO_ADDR set.
   */
  static final String IGNORE_ENV_PROPERTY = "openkcm.keystore.config.ignoreEnvironment";

  private static final Logger LOG = LoggerFactory.getLogger(BaoEnvironment.class);

  private final Map<String, String> env;

  BaoEnvironment(Map<String, String> env) {
    this.env = env;
  }

  static BaoEnvironment of(BundleContext context) {
    return new BaoEnvironment(
        context != null && Boolean.parseBoolean(context.getProperty(IGNORE_ENV_PROPERTY))
            ? Map.of()
            : System.getenv());
  }

  /** Lays the environment over the configured connection settings. */
  BaoSettings.Builder apply(BaoSettings.Builder b, String configuredAddress) {
    String addr = value(ADDR);
    if (addr != null) {
      if (configuredAddress != null
          && !configuredAddress.isBlank()
          && !configuredAddress.trim().equals(addr)) {
        LOG.warn(
            "{} is set: ignoring the configured OpenBao address (a console or .cfg edit cannot redirect it)",
            ADDR);
      }
      b.address(addr);
    }
    String ns = value(NAMESPACE);
    if (ns != null) {
      b.namespace(ns);
    }
    String token = secret(TOKEN, TOKEN_FILE);
    if (token != null) {
      b.token(token);
    }
    String secretId = secret(SECRET_ID, SECRET_ID_FILE);
    if (secretId != null) {
      b.secretId(secretId);
    }
    return b;
  }

  private String value(String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  /** The variable itself, else the content of the file the {@code _FILE} variable names. */
  private String secret(String name, String fileVariable) {
    String direct = env.get(name);
    if (direct != null && !direct.isEmpty()) {
      return direct.trim();
    }
    String file = value(fileVariable);
    if (file == null) {
      return null;
    }
    try {
      String content = Files.readString(Path.of(file), StandardCharsets.UTF_8).trim();
      if (content.isEmpty()) {
        throw new IllegalArgumentException(fileVariable + ": the file " + file + " is empty");
      }
      return content;
    } catch (IOException e) {
      throw new IllegalArgumentException(
          fileVariable + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
    }
  }
}
