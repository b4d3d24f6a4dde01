package org.openkcm.keystore.api;

import java.util.List;

/**
 * Outcome of moving keys between backends. Each key is copied, verified, then deleted at the
 * source; a key counted in {@code failed} is still readable at exactly one place.
 */
public record MigrationReport(
    String target, int moved, int skipped, int failed, List<String> failures) {
  public MigrationReport {
    failures = List.copyOf(failures);
  }
}
