package org.openkcm.keystore.core.internal.keys;

import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.BackendState;
import org.openkcm.keystore.spi.RootKeyProvider;

/**
 * The root-key provider the configuration names, chosen among every registered one by its {@value
 * RootKeyProvider#PROVIDER_PROPERTY} name, never "whatever registered first"; service ranking (then
 * the older service) only breaks ties between two providers of the same name, so an updated
 * provider bundle takes over without a gap. Providers are only <em>got</em> (activated) when
 * selected, so an unselected local provider never creates a master key file.
 */
final class RootKeySelector implements RootKeyProvider {
  /** A registered provider: its name, ranking and service id, and how to get it. */
  record Candidate(
      String name,
      int ranking,
      long serviceId,
      java.util.function.Supplier<RootKeyProvider> service) {}

  private static final Comparator<Candidate> BEST =
      Comparator.comparingInt(Candidate::ranking)
          .reversed()
          .thenComparingLong(Candidate::serviceId);

  private final Map<Long, Candidate> candidates = new ConcurrentHashMap<>();
  private volatile String configured;

  RootKeySelector(String configuredName) {
    this.configured = Objects.requireNonNull(configuredName);
  }

  /**
   * @return a supplier that gets the service on first use and then keeps it: every {@code
   *     getService} counts a use that DS releases only at unbind
   */
  static java.util.function.Supplier<RootKeyProvider> once(
      java.util.function.Supplier<RootKeyProvider> getter) {
    return new java.util.function.Supplier<>() {
      private volatile RootKeyProvider got;

      @Override
      public synchronized RootKeyProvider get() {
        if (got == null) {
          got = getter.get();
        }
        return got;
      }
    };
  }

  void configure(String name) {
    this.configured = Objects.requireNonNull(name);
  }

  void add(Candidate c) {
    candidates.put(c.serviceId(), c);
  }

  void remove(long serviceId) {
    candidates.remove(serviceId);
  }

  /**
   * @return the selected provider, or an unavailable error naming the configured name
   */
  RootKeyProvider current() throws BackendUnavailableException {
    String name = configured;
    Candidate best =
        candidates.values().stream().filter(c -> c.name().equals(name)).min(BEST).orElse(null);
    RootKeyProvider p = best == null ? null : best.service().get();
    if (p == null) {
      throw new BackendUnavailableException(
          name, "root key provider '" + name + "' is not available", Duration.ofSeconds(5));
    }
    return p;
  }

  @Override
  public String name() {
    return configured;
  }

  @Override
  public byte[] wrap(byte[] dek, byte[] aad) throws KeystoreException {
    return current().wrap(dek, aad);
  }

  @Override
  public byte[] unwrap(byte[] wrapped, byte[] aad) throws KeystoreException {
    return current().unwrap(wrapped, aad);
  }

  @Override
  public byte[] deriveKey(String label) throws KeystoreException {
    return current().deriveKey(label);
  }

  @Override
  public java.util.List<byte[]> derivePreviousKeys(String label) throws KeystoreException {
    return current().derivePreviousKeys(label);
  }

  /** False while no provider is available: nothing can be rewrapped then. */
  @Override
  public boolean needsRewrap(byte[] wrapped) {
    try {
      return current().needsRewrap(wrapped);
    } catch (BackendUnavailableException e) {
      return false;
    }
  }

  @Override
  public BackendHealth health() {
    try {
      return current().health();
    } catch (BackendUnavailableException e) {
      return BackendHealth.of(
          BackendState.UNAVAILABLE,
          "root key provider '" + configured + "' not registered",
          Duration.ZERO);
    }
  }

  @Override
  public String toString() {
    return "RootKeySelector[" + configured + ", " + candidates.size() + " registered]";
  }
}
