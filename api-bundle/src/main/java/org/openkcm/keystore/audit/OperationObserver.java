package org.openkcm.keystore.audit;

import org.openkcm.keystore.model.KeystoreException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Called by the core around every operation through its doors ({@code KeyService}, {@code
 * KeystoreAdmin}) and for the events it causes itself (reconciler repairs). The audit trail and the
 * metrics register one each; the core calls every registered observer (those that see every event
 * first, then those that accept samples, each in ranking order).
 *
 * <p>An observer that throws from {@link #admit} refuses the operation before it runs; one that
 * throws from {@link #completed} withholds the acknowledgement of an operation that ran (the caller
 * gets the exception instead of the result). Observers that only count never throw.
 *
 * <p>An observer that only measures latency may ask for a sample instead of every event ({@link
 * #sampleEvery}): then the hot calls of the {@code KeyService} door (open, open active, encrypt,
 * decrypt, metadata) reach it for one call in N, timed, plus every failed call; every other
 * operation still reaches it every time. Exact per-operation counts come from {@link
 * OperationCounts}. The audit trail keeps the default and sees every call.
 */
@ConsumerType
public interface OperationObserver {

  /**
   * Before {@code operation} runs: refuse it (e.g. no audit sink can write) by throwing.
   *
   * @param operation the operation's name, e.g. {@code key.create}
   */
  default void admit(String operation) throws KeystoreException {}

  /**
   * After the operation, before its caller sees the outcome; returns once the observer is done with
   * the event (for the audit trail: once the entry is durable).
   */
  void completed(OperationEvent event) throws KeystoreException;

  /**
   * How many successful calls of a sampled operation this observer is content to see one of; the
   * core may deliver more (never fewer), and each event says how many calls it stands for ({@link
   * OperationEvent#sampleWeight}). Read when the observer is registered.
   *
   * @return 1 (the default) for every event; N &gt; 1 for one timed call in N plus every failure
   */
  default int sampleEvery() {
    return 1;
  }
}
