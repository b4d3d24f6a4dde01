package org.openkcm.keystore.pkcs11.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Arrays;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.PermissionDeniedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider's way to the token: one {@link TokenSession} at a time, opened lazily, dropped when
 * the token fails, reopened by the next call once the backoff allows (1 x, 2 x ... up to 30 s after
 * repeated failures), so the runtime recovers without a restart. Every failure leaves here as one
 * typed error naming the token and the key label.
 *
 * <p>SunPKCS11 initialises a module once per JVM and never finalises it, and SoftHSM2 does not
 * recover inside a module instance whose token vanished. With {@code reloadModule}, reconnects
 * therefore load a private copy of the module (a fresh instance, fresh login state); each copy
 * stays mapped until the JVM exits, which the backoff bounds to a few per hour of outage.
 */
final class TokenConnection implements AutoCloseable {
  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  private static final Logger LOG = LoggerFactory.getLogger(TokenConnection.class);

  private final Pkcs11Settings settings;
  private final PinSource pins;
  private final SlotFinder slots;
  private volatile TokenSession session;
  private int generation;
  private long nextAttemptNanos;
  private Duration backoff;
  private KeystoreException lastFailure;
  private Path copies;
  private volatile boolean closed;

  /**
   * Salted digest of the PIN the token last refused: never offered again (a real HSM locks the PIN
   * after a few).
   */
  private byte[] refusedPin;

  private final byte[] pinSalt = new byte[16];

  TokenConnection(Pkcs11Settings settings, PinSource pins) {
    this.settings = settings;
    this.pins = pins;
    this.slots = new SlotFinder();
    this.backoff = settings.reconnectBackoff();
    new java.security.SecureRandom().nextBytes(pinSalt);
  }

  /**
   * @return a logged-in session, opening one if needed (within the backoff)
   */
  TokenSession session() throws KeystoreException {
    TokenSession s = session;
    if (s != null) {
      return s;
    }
    return connect(false);
  }

  /** Drops a session after a token-level failure; the next call reconnects. */
  synchronized void invalidate(TokenSession failed) {
    if (session == failed && failed != null) {
      session = null;
      failed.logout();
      LOG.warn(
          "PKCS#11 token {} lost (session generation {}); reconnecting on the next call",
          settings.tokenName(),
          failed.generation);
    }
  }

  /**
   * @param ignoreBackoff operators' explicit commands try at once
   */
  synchronized TokenSession connect(boolean ignoreBackoff) throws KeystoreException {
    if (closed) {
      throw new BackendUnavailableException(
          Pkcs11RootKeyProvider.NAME, "PKCS#11 root key provider stopped", null);
    }
    if (session != null) {
      return session;
    }
    long now = System.nanoTime();
    if (!ignoreBackoff && lastFailure != null && now - nextAttemptNanos < 0) {
      throw lastFailure;
    }
    int gen = ++generation;
    char[] pin = null;
    Path lib = null;
    byte[] pinDigest = null;
    try {
      pin = pins.read();
      pinDigest = digest(pin);
      if (refusedPin != null
          && java.security.MessageDigest.isEqual(refusedPin, pinDigest)
          && lastFailure != null) {
        nextAttemptNanos = now + backoff.toNanos();
        throw new PermissionDeniedException(
            null,
            Pkcs11RootKeyProvider.NAME,
            lastFailure.getMessage()
                + "; the same PIN is not tried again (a token locks its PIN after a few failures) until the PIN source changes");
      }
      lib = gen == 1 || !settings.reloadModule() ? settings.library() : privateCopy(gen);
      long slot =
          settings.tokenLabel().isEmpty()
              ? settings.slot()
              : slots.slotOf(lib.toString(), settings.tokenLabel());
      TokenSession s = TokenSession.open(lib.toString(), slot, settings.slotListIndex(), pin, gen);
      session = s;
      lastFailure = null;
      refusedPin = null;
      backoff = settings.reconnectBackoff();
      LOG.info(
          "PKCS#11 token {} opened (module {}, session generation {})",
          settings.tokenName(),
          settings.library(),
          gen);
      return s;
    } catch (GeneralSecurityException | RuntimeException | IOException e) {
      KeystoreException k =
          e instanceof IllegalStateException ise && pin == null
              ? new BackendUnavailableException(
                  Pkcs11RootKeyProvider.NAME,
                  "PKCS#11 token "
                      + settings.tokenName()
                      + ", key '"
                      + settings.keyLabel()
                      + "': "
                      + ise.getMessage(),
                  null)
              : failure("open the token", settings.keyLabel(), e);
      lastFailure = k;
      if (TokenFailure.of(e) == TokenFailure.PIN_INCORRECT && pinDigest != null) {
        refusedPin = pinDigest;
      }
      nextAttemptNanos = now + backoff.toNanos();
      backoff =
          backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
              ? MAX_BACKOFF
              : backoff.multipliedBy(2);
      LOG.warn("{}", k.getMessage());
      throw k;
    } finally {
      if (pin != null) {
        Arrays.fill(pin, '\0');
      }
      if (lib != null && !lib.equals(settings.library())) {
        // mapped by now (or never): the file itself is no longer needed
        deleteQuietly(lib);
      }
    }
  }

  private byte[] digest(char[] pin) {
    try {
      java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
      d.update(pinSalt);
      java.nio.ByteBuffer b =
          java.nio.charset.StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(pin));
      d.update(b.duplicate());
      java.util.Arrays.fill(b.array(), (byte) 0);
      return d.digest();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }

  /** Re-reads the token's labels in the current session. */
  void refresh(TokenSession s) throws GeneralSecurityException {
    char[] pin = pins.read();
    try {
      s.refresh(pin);
    } finally {
      Arrays.fill(pin, '\0');
    }
  }

  /**
   * @return the typed error for a failed PKCS#11 call, naming the token and label
   */
  KeystoreException failure(String what, String label, Throwable e) {
    TokenFailure f = TokenFailure.of(e);
    String msg =
        "PKCS#11 token "
            + settings.tokenName()
            + ", key '"
            + label
            + "': cannot "
            + what
            + ": "
            + f.meaning
            + " ("
            + TokenFailure.codeNames(e)
            + ")";
    if (!f.transientFailure) {
      return new PermissionDeniedException(null, Pkcs11RootKeyProvider.NAME, msg);
    }
    return new BackendUnavailableException(Pkcs11RootKeyProvider.NAME, null, msg, backoff, null);
  }

  KeystoreException missingKey(String label) {
    return new BackendUnavailableException(
        Pkcs11RootKeyProvider.NAME,
        "PKCS#11 token "
            + settings.tokenName()
            + " has no key labelled '"
            + label
            + "'"
            + (label.equals(settings.keyLabel()) && !settings.createKey()
                ? " (create it with keystore:rootkey create, or set createKey=true)"
                : ""),
        null);
  }

  /**
   * @return whether a failure means the session is gone (rather than a bad input)
   */
  static boolean tokenLevel(Throwable e) {
    return TokenFailure.of(e) != TokenFailure.OTHER || e instanceof java.security.ProviderException;
  }

  /** A token operation, retried once on a fresh session when the token failed under it. */
  <T> T call(String what, String label, TokenOp<T> op) throws KeystoreException {
    TokenSession s = session();
    try {
      return op.run(s, label);
    } catch (GeneralSecurityException | RuntimeException e) {
      if (!tokenLevel(e)) {
        throw failure(what, label, e);
      }
      invalidate(s);
    }
    TokenSession again = session();
    try {
      return op.run(again, label);
    } catch (GeneralSecurityException | RuntimeException e) {
      if (tokenLevel(e)) {
        invalidate(again);
      }
      throw failure(what, label, e);
    }
  }

  /** One operation on a session. */
  @FunctionalInterface
  interface TokenOp<T> {
    T run(TokenSession s, String label) throws GeneralSecurityException, KeystoreException;
  }

  private Path privateCopy(int gen) throws IOException {
    if (copies == null) {
      copies = Files.createTempDirectory("openkcm-pkcs11-");
    }
    Path target = copies.resolve("gen" + gen + "-" + settings.library().getFileName());
    Files.copy(settings.library(), target, StandardCopyOption.REPLACE_EXISTING);
    return target;
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      LOG.debug("could not delete {}", p);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (session != null) {
      session.logout();
    }
    session = null;
    if (copies != null) {
      deleteQuietly(copies);
    }
  }
}
