package org.openkcm.keystore.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.core.internal.backend.BenchPlugins;
import org.openkcm.keystore.core.internal.backend.PluginManager;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.core.internal.crypto.ThreadCrypto;
import org.openkcm.keystore.core.internal.keys.CryptoKeyService;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.openbao.internal.BenchOpenBao;
import org.openkcm.keystore.spi.Keystore;

/**
 * The runtime's real parts outside OSGi, against the OpenBao server {@link BaoBenchMain} started:
 * the OpenBao backend and the InMemory backend behind the core's plugin manager (default routing,
 * worker pool + deadline for OpenBao), the crypto core with a local root key, one tenant L2 on
 * OpenBao and {@code l3Count} service L3s under it (also on OpenBao). Each environment writes under
 * its own prefix.
 */
final class BaoEnv implements AutoCloseable {
  static final String ADDRESS_PROPERTY = "bench.bao.address";
  static final String TOKEN_FILE_PROPERTY = "bench.bao.tokenFile";

  final String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 8);
  final Keystore openbao;
  final InMemoryKeystore memory = new InMemoryKeystore("inmemory", 1_000_000);
  final PluginManager plugins;
  final LocalRootKeyProvider root;
  final CryptoKeyService service;
  final KeyMetadata l2;
  final CreateKeyRequest l3Request;
  final KeyRef[] l3s;

  BaoEnv(CacheSettings cache, int l3Count) throws KeystoreException {
    this(cache, l3Count, false);
  }

  /**
   * @param inlineOpenBao call OpenBao on the caller's thread (no worker hand-off, no deadline): a
   *     reference only
   */
  BaoEnv(CacheSettings cache, int l3Count, boolean inlineOpenBao) throws KeystoreException {
    openbao = BenchOpenBao.keystore(address(), token(), prefix);
    Map<String, Keystore> backends = new LinkedHashMap<>();
    backends.put("openbao", openbao);
    backends.put("inmemory", memory);
    plugins =
        inlineOpenBao
            ? BenchPlugins.start(backends, "inmemory", "openbao")
            : BenchPlugins.start(backends);
    String masterKey = Base64.getEncoder().encodeToString(ThreadCrypto.randomBytes(32));
    root = new LocalRootKeyProvider(Path.of("unused.key"), n -> masterKey);
    service = new CryptoKeyService(plugins, root, new KeyCache(cache));
    l2 = service.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("bench")).build());
    l3Request =
        CreateKeyRequest.builder(KeyTier.L3, Owner.service("bench")).parentId(l2.id()).build();
    l3s = new KeyRef[l3Count];
    for (int i = 0; i < l3Count; i++) {
      l3s[i] = service.create(l3Request).ref();
    }
  }

  /**
   * @return the KV path (as the bare client takes it) where the backend keeps this key's record
   */
  String driverPath(KeyRef ref) throws Exception {
    return BenchOpenBao.driverPath(prefix, ref);
  }

  static String address() {
    String a = System.getProperty(ADDRESS_PROPERTY);
    if (a == null || !a.startsWith("http://127.0.0.1:")) {
      throw new IllegalStateException(
          ADDRESS_PROPERTY
              + " must name the loopback bao server; start through benchmarks/run-openbao.sh");
    }
    return a;
  }

  /**
   * The token comes from a file (mode 600), so it never shows in a process list or JMH's printed
   * JVM arguments.
   */
  static String token() {
    String f = System.getProperty(TOKEN_FILE_PROPERTY);
    if (f == null) {
      throw new IllegalStateException(
          TOKEN_FILE_PROPERTY + " is not set; start through benchmarks/run-openbao.sh");
    }
    try {
      return Files.readString(Path.of(f), StandardCharsets.US_ASCII).trim();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the token file " + f, e);
    }
  }

  @Override
  public void close() {
    service.close();
    BenchPlugins.stop(plugins);
    BenchOpenBao.close(openbao);
    root.close();
    memory.close();
  }
}
