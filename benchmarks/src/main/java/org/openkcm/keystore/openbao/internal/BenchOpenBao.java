package org.openkcm.keystore.openbao.internal;

import org.openkcm.keystore.spi.Keystore;

/**
 * The OpenBao backend built outside OSGi for the benchmarks. It sits in the bundle's internal
 * package (split across jars on a plain classpath, never in a bundle) because the embedding
 * constructor is package-private: the bundle exports nothing, and the benchmarks must not widen its
 * API.
 */
public final class BenchOpenBao {
  private BenchOpenBao() {}

  /**
   * @return the real {@link OpenBaoKeystore} on KV v2 at {@code secret/}, under {@code prefix}
   */
  public static Keystore keystore(String address, String token, String prefix) {
    // production defaults: connect 2 s, read 5 s
    return new OpenBaoKeystore(
        BaoSettings.builder()
            .address(address)
            .token(token)
            .mount("secret")
            .timeouts(2000, 5000)
            .build(),
        prefix,
        65536);
  }

  /**
   * @return the bare client's path ({@code secret/<prefix>/keys/<id>,<version>}) the backend reads
   *     for this key
   */
  public static String driverPath(String prefix, org.openkcm.keystore.model.KeyRef ref)
      throws Exception {
    PathLayout layout = new PathLayout("secret", prefix);
    return "secret/" + layout.record(ref);
  }

  /**
   * @return requests the backend sent so far (what revalidation costs)
   */
  public static long requests(Keystore k) {
    return ((OpenBaoKeystore) k).requestCount();
  }

  /** Stops the backend's HttpClient executor. */
  public static void close(Keystore k) {
    ((OpenBaoKeystore) k).deactivate();
  }
}
