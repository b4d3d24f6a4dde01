package org.openkcm.keystore.core.internal.keys;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo {@code keystore:rewrap [--dry-run]}: moves every stored record onto the current root key
 * after a root key rotation or a provider switch ({@link RootRewrap}), online. Prints counts and
 * the records it could not move (by reference and error, never material).
 */
@Component(
    // Gogo finds commands by their properties: the registration names no internal type
    service = Object.class,
    property = {"osgi.command.scope=keystore", "osgi.command.function=rewrap"})
public final class RewrapCommand {
  static final String USAGE = "usage: keystore:rewrap [--dry-run]";

  private final CryptoKeyService core;

  @Activate
  public RewrapCommand(@Reference(name = "core") CryptoKeyService core) {
    // the crypto core registers under its own class, so only this bundle's core can bind here
    this.core = core;
  }

  @Descriptor(
      "re-wrap every L2 record under the current root key and re-authenticate every record's state"
          + " under the current state key; --dry-run only counts")
  public String rewrap(@Descriptor("[--dry-run]") String... args) {
    boolean dryRun = args.length == 1 && "--dry-run".equals(args[0]);
    if (args.length > 1 || (args.length == 1 && !dryRun)) {
      return USAGE;
    }
    return format(core.rewrap(dryRun));
  }

  static String format(RootRewrap.Report r) {
    String done = r.dryRun() ? "would be " : "";
    StringBuilder out = new StringBuilder();
    out.append(r.dryRun() ? "dry run, nothing written\n" : "")
        .append("rewrapped: ")
        .append(done)
        .append(r.count(RootRewrap.Outcome.REWRAPPED))
        .append(" L2 records\n")
        .append("re-authenticated: ")
        .append(done)
        .append(r.count(RootRewrap.Outcome.REAUTHENTICATED))
        .append(" records\n")
        .append("already current: ")
        .append(r.count(RootRewrap.Outcome.CURRENT))
        .append('\n')
        .append("deleted meanwhile: ")
        .append(r.count(RootRewrap.Outcome.GONE))
        .append('\n')
        .append("not moved: ")
        .append(r.count(RootRewrap.Outcome.FAILED) + r.count(RootRewrap.Outcome.CONFLICT))
        .append(" (they still open; run again)\n")
        .append(r.problems());
    return out.toString();
  }
}
