package org.openkcm.keystore.pkcs11.internal;

import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.SecretKey;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeystoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The root key's versions in the token ({@link KeyLabels}): which one is current, creating the
 * first, rotating to the next. Creation and rotation only add keys; no key is ever deleted here.
 */
final class RootKeyVersions {
  private static final Logger LOG = LoggerFactory.getLogger(RootKeyVersions.class);
  private final Pkcs11Settings settings;
  private final TokenConnection conn;

  /**
   * How often the wrap path re-reads the token's labels, so a rotation made by another runtime
   * becomes current here.
   */
  static final long REFRESH_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(30);

  private volatile String current;
  private volatile long nextRefresh = System.nanoTime() + REFRESH_NANOS;

  /**
   * Re-reads caused by unknown labels: at most one a second (a record in a backend can name any
   * label).
   */
  private volatile long nextMissRefresh = System.nanoTime();

  RootKeyVersions(Pkcs11Settings settings, TokenConnection conn) {
    this.settings = settings;
    this.conn = conn;
    this.current = settings.keyLabel();
  }

  /**
   * @return the label new wraps use
   */
  String current() {
    return current;
  }

  /**
   * Makes the highest version in the token current; creates version 1 if there is none and {@code
   * create}.
   */
  void pick(TokenSession s, boolean create) throws GeneralSecurityException {
    int v = KeyLabels.highest(settings.keyLabel(), s.labels());
    if (v == 0 && create) {
      s.generate(settings.keyLabel());
      LOG.info(
          "PKCS#11 root key '{}' created in token {} on first start (AES-256, sensitive, non-extractable)",
          settings.keyLabel(),
          settings.tokenName());
      v = 1;
    }
    if (v > 0) {
      current = KeyLabels.label(settings.keyLabel(), v);
    }
  }

  /**
   * @return the key under {@code label}; a label this session has not seen (another runtime
   *     rotated) makes it re-read the token once
   */
  SecretKey key(TokenSession s, String label) throws GeneralSecurityException, KeystoreException {
    SecretKey k = s.key(label);
    long now = System.nanoTime();
    if (k == null && now - nextMissRefresh >= 0) {
      nextMissRefresh = now + java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
      conn.refresh(s);
      k = s.key(label);
    }
    if (k == null) {
      throw conn.missingKey(label);
    }
    return k;
  }

  /**
   * Every {@link #REFRESH_NANOS}: re-read the labels and move to the highest version. Failures
   * surface on the call itself.
   */
  void refreshIfStale() {
    long now = System.nanoTime();
    if (now - nextRefresh < 0) {
      return;
    }
    nextRefresh = now + REFRESH_NANOS;
    try {
      check();
    } catch (KeystoreException e) {
      LOG.debug("label refresh failed; the wrap reports the token's state");
    }
  }

  /** Re-reads the token and checks the current key is there (health). */
  String check() throws KeystoreException {
    return conn.call(
        "check the key",
        current,
        (s, l) -> {
          conn.refresh(s);
          pick(s, false);
          if (s.key(current) == null) {
            throw conn.missingKey(current);
          }
          return current;
        });
  }

  String create() throws KeystoreException {
    conn.connect(true);
    return conn.call(
        "create the key",
        settings.keyLabel(),
        (s, label) -> {
          conn.refresh(s);
          if (KeyLabels.highest(settings.keyLabel(), s.labels()) > 0) {
            throw new InvalidKeyRequestException(
                "keyLabel",
                "token "
                    + settings.tokenName()
                    + " already holds root key '"
                    + label
                    + "' (use keystore:rootkey rotate for a new one)");
          }
          s.generate(label);
          current = label;
          LOG.info(
              "PKCS#11 root key '{}' created in token {} (AES-256, sensitive, non-extractable)",
              label,
              settings.tokenName());
          return label;
        });
  }

  String rotate() throws KeystoreException {
    conn.connect(true);
    return conn.call(
        "rotate the key",
        current,
        (s, old) -> {
          conn.refresh(s);
          int v = KeyLabels.highest(settings.keyLabel(), s.labels());
          if (v == 0) {
            throw conn.missingKey(settings.keyLabel());
          }
          String next = KeyLabels.label(settings.keyLabel(), v + 1);
          s.generate(next);
          current = next;
          LOG.info(
              "PKCS#11 root key rotated in token {}: '{}' is current, '{}' and older still unwrap",
              settings.tokenName(),
              next,
              KeyLabels.label(settings.keyLabel(), v));
          return next;
        });
  }

  /**
   * @return the versions the token holds, oldest first
   */
  List<String> labels() throws KeystoreException {
    return conn.call(
        "list keys",
        current,
        (s, l) -> {
          conn.refresh(s);
          List<String> out = new ArrayList<>();
          for (String label : s.labels()) {
            if (KeyLabels.version(settings.keyLabel(), label) > 0) {
              out.add(label);
            }
          }
          out.sort(
              (a, b) ->
                  Integer.compare(
                      KeyLabels.version(settings.keyLabel(), a),
                      KeyLabels.version(settings.keyLabel(), b)));
          return out;
        });
  }

  /**
   * @return the key handle under {@code label} (tests, inspection)
   */
  SecretKey handle(String label) throws KeystoreException {
    return conn.call(
        "inspect the key",
        label,
        (s, l) -> {
          SecretKey k = s.key(l);
          if (k == null) {
            throw conn.missingKey(l);
          }
          return k;
        });
  }
}
