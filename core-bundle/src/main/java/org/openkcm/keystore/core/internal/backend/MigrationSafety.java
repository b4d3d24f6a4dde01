package org.openkcm.keystore.core.internal.backend;

import java.util.ArrayList;
import java.util.List;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.Keystore;

/**
 * Refuses, before anything moves, a migration that would put keys a persistent backend holds onto
 * one that forgets them at the next restart (InMemory): the tenant's whole hierarchy would go with
 * it. Everything is asked through the guarded backends (deadline, breaker); a backend that cannot
 * say counts as persistent.
 */
final class MigrationSafety {
  /**
   * Matching keys counted per source for the message; enough to tell an operator the size of the
   * loss.
   */
  private static final int COUNT_UP_TO = 1000;

  private MigrationSafety() {}

  static void check(
      String targetName, Keystore target, List<KeyMigrator.Source> sources, KeyFilter filter)
      throws KeystoreException {
    if (target.info().persistent()) {
      return;
    }
    List<String> losses = new ArrayList<>();
    for (KeyMigrator.Source s : sources) {
      if (!persistent(s.keystore())) {
        continue;
      }
      Page<KeyMetadata> page = s.keystore().list(filter.withPageSize(COUNT_UP_TO));
      if (!page.items().isEmpty()) {
        losses.add(
            page.items().size()
                + (page.nextCursor().isPresent() ? "+" : "")
                + " key version(s) of '"
                + s.name()
                + "'");
      }
    }
    if (!losses.isEmpty()) {
      throw new InvalidKeyRequestException(
          "target",
          "'"
              + targetName
              + "' does not survive a restart: moving "
              + String.join(", ", losses)
              + " there would lose them at the next restart. Refused; force it (keystore:migrate --force, or the console's"
              + " 'force' box) only if that is what you want");
    }
  }

  private static boolean persistent(Keystore k) {
    try {
      return k.info().persistent();
    } catch (RuntimeException e) {
      return true;
    }
  }
}
