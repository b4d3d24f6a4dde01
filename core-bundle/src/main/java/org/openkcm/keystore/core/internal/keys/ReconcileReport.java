package org.openkcm.keystore.core.internal.keys;

/**
 * What one reconciler pass did.
 *
 * @param rotationsFinished PENDING versions activated (their rotation had deprecated the old
 *     version)
 * @param rotationsRolledBack PENDING versions deleted (their rotation had not got that far)
 * @param destroysFinished keys whose interrupted destroy was rolled forward
 * @param duplicatesResolved records held by two backends (a stopped migration) reduced to one copy
 * @param conflicts records held by two backends with different content, left alone and logged
 * @param failed records the pass could not handle now (backend down); the next pass tries again
 * @param skippedYoung intent records younger than the grace period (a saga may still be running)
 */
public record ReconcileReport(
    int rotationsFinished,
    int rotationsRolledBack,
    int destroysFinished,
    int duplicatesResolved,
    int conflicts,
    int failed,
    int skippedYoung) {

  /**
   * @return records repaired in this pass
   */
  public int repaired() {
    return rotationsFinished + rotationsRolledBack + destroysFinished + duplicatesResolved;
  }

  @Override
  public String toString() {
    return rotationsFinished
        + " rotation(s) finished, "
        + rotationsRolledBack
        + " rolled back, "
        + destroysFinished
        + " destroy(s) finished, "
        + duplicatesResolved
        + " duplicate(s) resolved, "
        + conflicts
        + " conflict(s), "
        + failed
        + " failed, "
        + skippedYoung
        + " younger than the grace period";
  }
}
