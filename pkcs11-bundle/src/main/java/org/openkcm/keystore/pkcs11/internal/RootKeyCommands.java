package org.openkcm.keystore.pkcs11.internal;

import java.util.List;
import org.apache.felix.service.command.Descriptor;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.RootKeyProvider;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * {@code keystore:rootkey status|create|rotate} — the PKCS#11 root key in its token. Prints labels
 * and states only; the key's bytes are never in the JVM to print. A failure is one line {@code
 * error: Kind: message}.
 */
@Component(
    service = RootKeyCommands.class,
    property = {"osgi.command.scope=keystore", "osgi.command.function=rootkey"})
public final class RootKeyCommands {

  @Reference(
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      target = "(" + RootKeyProvider.PROVIDER_PROPERTY + "=" + Pkcs11RootKeyProvider.NAME + ")")
  private volatile RootKeyProvider provider;

  public RootKeyCommands() {}

  /** For tests outside OSGi. */
  RootKeyCommands(RootKeyProvider provider) {
    this.provider = provider;
  }

  private static final String USAGE =
      "error: InvalidKeyRequestException: usage: keystore:rootkey [status|create|rotate]";

  /** keystore:rootkey — status. */
  @Descriptor("the PKCS#11 root key: its token, state and key labels (the current one starred)")
  public String rootkey() {
    return rootkey("status");
  }

  /** keystore:rootkey status | create | rotate */
  @Descriptor(
      "manages the PKCS#11 root key in its token; prints labels and states, never key bytes")
  public String rootkey(
      @Descriptor(
              "status: token, state, labels | create: the first root key (AES-256, non-extractable)"
                  + " | rotate: a new current key; older ones keep unwrapping what they wrapped")
          String action) {
    if (!java.util.Set.of("status", "create", "rotate").contains(action)) {
      return USAGE;
    }
    if (!(provider instanceof Pkcs11RootKeyProvider p)) {
      return "error: BackendUnavailableException: the pkcs11 root key provider is not active (configure PID "
          + Pkcs11Config.PID
          + " / config.yaml rootKey.pkcs11)";
    }
    try {
      return switch (action) {
        case "status" -> status(p);
        case "create" ->
            "created root key '"
                + p.createKey()
                + "' in token "
                + p.tokenName()
                + " (AES-256, sensitive, non-extractable)";
        case "rotate" ->
            "rotated: '"
                + p.rotate()
                + "' is current in token "
                + p.tokenName()
                + "; older keys stay and still unwrap the records they wrapped";
        default -> USAGE;
      };
    } catch (KeystoreException e) {
      return "error: " + e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  /** Wrong arity: the usage line instead of Gogo's "Cannot coerce". */
  @Descriptor("(wrong arguments: prints the usage line)")
  public String rootkey(@Descriptor("status|create|rotate") String... args) {
    return USAGE;
  }

  private static String status(Pkcs11RootKeyProvider p) throws KeystoreException {
    BackendHealth h = p.health();
    StringBuilder b =
        new StringBuilder("provider pkcs11, token ")
            .append(p.tokenName())
            .append(": ")
            .append(h.state())
            .append(" (")
            .append(h.detail())
            .append(")\n");
    List<String> labels = p.keyLabels();
    for (String l : labels) {
      b.append(l.equals(p.currentLabel()) ? "* " : "  ")
          .append(l)
          .append(p.nonExtractable(l) ? "  sensitive, non-extractable" : "  EXTRACTABLE")
          .append('\n');
    }
    if (labels.isEmpty()) {
      b.append("no root key in the token: keystore:rootkey create\n");
    }
    return b.toString().stripTrailing();
  }
}
