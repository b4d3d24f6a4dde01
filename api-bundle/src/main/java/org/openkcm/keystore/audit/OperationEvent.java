package org.openkcm.keystore.audit;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One operation as the audit trail and the metrics see it: when, who, what, on which key and
 * backend, how it ended and how long it took. Built only from identities and names: it holds no key
 * material, sealed bytes, tokens or plaintext, so it may be logged and shipped anywhere.
 */
public final class OperationEvent {
  /** The outcome of an operation that succeeded. */
  public static final String OK = "ok";

  private final Instant time;
  private final String actor;
  private final String bundle;
  private final String operation;
  private final String keyId;
  private final int version;
  private final String tier;
  private final String owner;
  private final String backend;
  private final String subject;
  private final String outcome;
  private final long durationNanos;
  private final long sampleWeight;

  private OperationEvent(Builder b) {
    this.time = Objects.requireNonNull(b.time, "time");
    this.operation = Objects.requireNonNull(b.operation, "operation");
    this.actor = b.actor;
    this.bundle = b.bundle;
    this.keyId = b.keyId;
    this.version = b.version;
    this.tier = b.tier;
    this.owner = b.owner;
    this.backend = b.backend;
    this.subject = b.subject;
    this.outcome = b.outcome == null ? OK : b.outcome;
    this.durationNanos = b.durationNanos;
    this.sampleWeight = b.sampleWeight;
  }

  /**
   * @param operation e.g. {@code key.create}, {@code admin.migrate}, {@code backend.arrived}
   */
  public static Builder builder(String operation, Instant time) {
    return new Builder(operation, time);
  }

  /**
   * @return when the operation started
   */
  public Instant time() {
    return time;
  }

  /**
   * @return the actor a door named ({@link Actor}), or the calling bundle when none did
   */
  public Optional<String> actor() {
    return Optional.ofNullable(actor);
  }

  /**
   * @return the symbolic name of the bundle that called the core, when a bundle did
   */
  public Optional<String> bundle() {
    return Optional.ofNullable(bundle);
  }

  public String operation() {
    return operation;
  }

  public Optional<String> keyId() {
    return Optional.ofNullable(keyId);
  }

  /**
   * @return the key version, 0 when the operation concerned no single version
   */
  public int version() {
    return version;
  }

  public Optional<String> tier() {
    return Optional.ofNullable(tier);
  }

  /**
   * @return the owner as {@code type:id}
   */
  public Optional<String> owner() {
    return Optional.ofNullable(owner);
  }

  public Optional<String> backend() {
    return Optional.ofNullable(backend);
  }

  /**
   * @return what a non-key operation concerned: a configuration PID, a migration's target
   */
  public Optional<String> subject() {
    return Optional.ofNullable(subject);
  }

  /**
   * @return {@value #OK}, or the kind of the error (e.g. {@code KeyNotFound}, {@code Integrity})
   */
  public String outcome() {
    return outcome;
  }

  public boolean succeeded() {
    return OK.equals(outcome);
  }

  /**
   * @return how long the operation took; 0 when it was not timed ({@link #sampleWeight} 0)
   */
  public long durationNanos() {
    return durationNanos;
  }

  /**
   * How many calls this event stands for in a latency sample: 1 when every call is reported (the
   * audit trail's events, and every operation that is not sampled); N for the one timed call in N
   * an observer asked for with {@link OperationObserver#sampleEvery}; 0 for a failed call reported
   * outside the sample only so that failures are counted (then it was not timed, its duration is 0
   * and its time is when the failure was seen).
   *
   * @return the weight: 1, N, or 0
   */
  public long sampleWeight() {
    return sampleWeight;
  }

  /**
   * @return the error kind of {@code e}: its class name without the {@code Exception} suffix
   */
  public static String kindOf(Throwable e) {
    String n = e.getClass().getSimpleName();
    return n.endsWith("Exception") ? n.substring(0, n.length() - "Exception".length()) : n;
  }

  @Override
  public String toString() {
    return operation + " " + (keyId == null ? "" : keyId + "@" + version + " ") + outcome;
  }

  /** Fills an event; only {@code operation} and {@code time} are required. */
  public static final class Builder {
    private final String operation;
    private final Instant time;
    private String actor;
    private String bundle;
    private String keyId;
    private int version;
    private String tier;
    private String owner;
    private String backend;
    private String subject;
    private String outcome;
    private long durationNanos;
    private long sampleWeight = 1;

    private Builder(String operation, Instant time) {
      this.operation = operation;
      this.time = time;
    }

    public Builder actor(String value) {
      actor = value;
      return this;
    }

    public Builder bundle(String value) {
      bundle = value;
      return this;
    }

    public Builder key(String id, int keyVersion) {
      keyId = id;
      version = keyVersion;
      return this;
    }

    public Builder tier(String value) {
      tier = value;
      return this;
    }

    public Builder owner(String value) {
      owner = value;
      return this;
    }

    public Builder backend(String value) {
      backend = value;
      return this;
    }

    public Builder subject(String value) {
      subject = value;
      return this;
    }

    /** {@value OperationEvent#OK} when null. */
    public Builder outcome(String value) {
      outcome = value;
      return this;
    }

    public Builder durationNanos(long value) {
      durationNanos = value;
      return this;
    }

    /** 1 unless set: see {@link OperationEvent#sampleWeight}. */
    public Builder sampleWeight(long value) {
      sampleWeight = value;
      return this;
    }

    public OperationEvent build() {
      return new OperationEvent(this);
    }
  }
}
