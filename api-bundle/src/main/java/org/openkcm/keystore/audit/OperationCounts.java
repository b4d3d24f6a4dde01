package org.openkcm.keystore.audit;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Exact counts of the calls through the core's doors ({@code KeyService}, {@code KeystoreAdmin}),
 * per operation, kept by the core whether or not any observer is registered. Provided by the core
 * for metrics and operators; reading it changes nothing. Where {@link OperationObserver}s may see a
 * sample of the calls, these count every one.
 */
@ProviderType
public interface OperationCounts {

  /**
   * @return one entry per operation the doors know (also those not called yet), in no particular
   *     order; each count only grows
   */
  List<Count> counts();

  /**
   * One operation's calls since start, by how they ended for the caller.
   *
   * @param operation the operation's name, e.g. {@code key.open}
   * @param succeeded calls whose caller got the result
   * @param failed calls that ran and whose caller got an error (including a result the observers
   *     did not acknowledge)
   * @param refused calls an observer refused before they ran (e.g. no audit sink could write)
   */
  record Count(String operation, long succeeded, long failed, long refused) {}
}
