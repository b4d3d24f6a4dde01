package org.openkcm.keystore.audit;

import java.util.Optional;

/**
 * The caller a door acts for, on the current thread: {@code grpc:CN=billing}, {@code shell}, {@code
 * console:admin}. A door names it around its call into the core ({@code try (Actor.Scope s =
 * Actor.enter("shell")) { ... }}); the core records it with the calling bundle, which a door cannot
 * choose, so a claimed actor is always seen next to the bundle that claimed it.
 */
public final class Actor {
  private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

  private Actor() {}

  /**
   * Names the actor until the returned scope is closed, which restores the previous one.
   *
   * @param actor a short, non-secret identity (never a token or a password)
   */
  public static Scope enter(String actor) {
    String previous = CURRENT.get();
    CURRENT.set(actor);
    return () -> {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    };
  }

  /**
   * @return the actor named on this thread, if a door named one
   */
  public static Optional<String> current() {
    return Optional.ofNullable(CURRENT.get());
  }

  /** Ends an {@link #enter} without a checked exception. */
  @FunctionalInterface
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }
}
