package org.openkcm.keystore.pkcs11.internal;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.Provider;
import java.security.Security;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * One logged-in connection to the token through a SunPKCS11 provider instance: the PKCS#11 key
 * store (for key handles by label), a pool of GCM {@link Cipher}s (SunPKCS11 itself pools the
 * token's sessions: a cipher holds one only for the duration of an operation) and the key handles
 * already looked up. Never holds key bytes: the token's keys are sensitive and non-extractable, so
 * the JVM only ever sees handles.
 */
final class TokenSession {
  private static final String GCM = "AES/GCM/NoPadding";
  private final Provider provider;
  private final KeyStore store;
  private final Map<String, SecretKey> keys = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Cipher> ciphers = new ConcurrentLinkedQueue<>();
  final int generation;

  private TokenSession(Provider provider, KeyStore store, int generation) {
    this.provider = provider;
    this.store = store;
    this.generation = generation;
  }

  /**
   * Configures a SunPKCS11 instance for the module and slot, logs in with the PIN.
   *
   * @param library the module path to load (the configured one, or a private copy on reconnect)
   */
  static TokenSession open(String library, long slot, int slotListIndex, char[] pin, int generation)
      throws GeneralSecurityException {
    Provider base = Security.getProvider("SunPKCS11");
    if (base == null) {
      throw new GeneralSecurityException(
          "the JDK's SunPKCS11 provider (module jdk.crypto.cryptoki) is not present in this runtime");
    }
    Provider p;
    try {
      p = base.configure(config(library, slot, slotListIndex, generation));
    } catch (RuntimeException e) {
      throw new GeneralSecurityException("SunPKCS11 could not initialise the module", e);
    }
    try {
      KeyStore ks = KeyStore.getInstance("PKCS11", p);
      ks.load(null, pin);
      return new TokenSession(p, ks, generation);
    } catch (java.io.IOException e) {
      throw new GeneralSecurityException("login failed", e);
    } catch (RuntimeException e) {
      throw new GeneralSecurityException("the token could not be opened", e);
    }
  }

  /**
   * SunPKCS11 "inline" configuration. New secret keys are generated as sensitive, non-extractable
   * session objects and then copied into the token under their label by the key store; every AES
   * key the provider creates or imports carries CKA_SENSITIVE=true and CKA_EXTRACTABLE=false.
   */
  static String config(String library, long slot, int slotListIndex, int generation) {
    return "--name=openkcm-"
        + generation
        + "\n"
        + "library = "
        + library
        + "\n"
        + (slot >= 0 ? "slot = " + slot + "\n" : "slotListIndex = " + slotListIndex + "\n")
        + "attributes(generate, CKO_SECRET_KEY, CKK_AES) = {\n  CKA_TOKEN = false\n  CKA_SENSITIVE = true\n  CKA_EXTRACTABLE = false\n"
        + "  CKA_ENCRYPT = true\n  CKA_DECRYPT = true\n}\n"
        + "attributes(*, CKO_SECRET_KEY, CKK_AES) = {\n  CKA_SENSITIVE = true\n  CKA_EXTRACTABLE = false\n}\n";
  }

  /**
   * @return the key labelled so, or null if the token has none
   */
  SecretKey key(String label) throws GeneralSecurityException {
    SecretKey k = keys.get(label);
    if (k != null) {
      return k;
    }
    Key found = store.getKey(label, null);
    if (!(found instanceof SecretKey sk)) {
      return null;
    }
    keys.put(label, sk);
    return sk;
  }

  /** Re-reads the token's labels (keys another node created meanwhile). */
  synchronized void refresh(char[] pin) throws GeneralSecurityException {
    try {
      store.load(null, pin);
    } catch (java.io.IOException e) {
      throw new GeneralSecurityException("re-reading the token failed", e);
    }
  }

  /**
   * @return labels of the secret keys in the token
   */
  synchronized List<String> labels() throws GeneralSecurityException {
    List<String> out = new ArrayList<>();
    for (String a : Collections.list(store.aliases())) {
      if (store.isKeyEntry(a)) {
        out.add(a);
      }
    }
    return out;
  }

  /**
   * Generates a sensitive, non-extractable AES-256 key inside the token and stores it under {@code
   * label}.
   */
  synchronized SecretKey generate(String label) throws GeneralSecurityException {
    if (store.containsAlias(label)) {
      throw new GeneralSecurityException("label exists");
    }
    KeyGenerator g = KeyGenerator.getInstance("AES", provider);
    g.init(256);
    SecretKey session = g.generateKey();
    store.setKeyEntry(label, session, null, null);
    SecretKey stored = key(label);
    if (stored == null) {
      throw new GeneralSecurityException("key not found after creation");
    }
    return stored;
  }

  /**
   * @return whether the key is a sensitive, non-extractable token object (its bytes never reach the
   *     JVM)
   */
  static boolean sealedInToken(SecretKey k) {
    String d = k.toString();
    return k.getEncoded() == null
        && d.contains("sensitive")
        && d.contains("unextractable")
        && d.contains("token object");
  }

  byte[] crypt(int mode, SecretKey key, byte[] iv, byte[] aad, byte[] input)
      throws GeneralSecurityException {
    Cipher c = ciphers.poll();
    if (c == null) {
      c = Cipher.getInstance(GCM, provider);
    }
    boolean reusable = false;
    try {
      c.init(mode, key, new GCMParameterSpec(WrappedDek.TAG_BYTES * 8, iv));
      c.updateAAD(aad);
      byte[] out = c.doFinal(input);
      reusable = true;
      return out;
    } finally {
      if (reusable) {
        ciphers.offer(c);
      }
    }
  }

  /**
   * GCM encryption with a caller-chosen IV on a cipher of its own (never pooled: SunPKCS11 refuses
   * a second encryption with the same key and IV on one cipher object). Only {@link
   * Pkcs11RootKeyProvider#deriveKey} uses it, with an IV of its own domain.
   */
  byte[] encryptWithFixedIv(SecretKey key, byte[] iv, byte[] aad, byte[] input)
      throws GeneralSecurityException {
    Cipher c = Cipher.getInstance(GCM, provider);
    c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(WrappedDek.TAG_BYTES * 8, iv));
    c.updateAAD(aad);
    return c.doFinal(input);
  }

  /** Logs the module instance out (best effort): nothing else in the JVM inherits the login. */
  void logout() {
    if (provider instanceof java.security.AuthProvider a) {
      try {
        a.logout();
      } catch (javax.security.auth.login.LoginException | RuntimeException e) {
        // the token is gone or the session already closed: nothing stays logged in then
        ciphers.clear();
      }
    }
    ciphers.clear();
    keys.clear();
  }

  @Override
  public String toString() {
    return "TokenSession[generation " + generation + "]";
  }
}
