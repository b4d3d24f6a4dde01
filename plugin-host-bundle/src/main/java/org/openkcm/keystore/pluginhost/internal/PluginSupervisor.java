package org.openkcm.keystore.pluginhost.internal;

import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.openkcm.keystore.pluginhost.internal.Handshake.HandshakeException;
import org.openkcm.keystore.spi.Keystore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one plugin entry running: launches it, registers its {@link Keystore}, watches the process
 * and grpc.health.v1 "plugin" every healthInterval, and on an exit or three failed checks
 * unregisters it, kills what is left and launches again after a backoff (250 ms doubling to
 * maxBackoff, reset after a minute up). A launch failure is logged once per distinct reason, naming
 * the plugin; nothing else is affected.
 */
final class PluginSupervisor {
  private static final Logger LOG = LoggerFactory.getLogger(PluginSupervisor.class);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
  private static final Duration STABLE = Duration.ofMinutes(1);
  private static final int HEALTH_FAILURES = 3;

  /** How long a stop lets calls already running on the process finish. */
  static final Duration DRAIN = Duration.ofSeconds(1);

  private final PluginSettings settings;
  private final EventLoopGroup group;
  private final Registrar registrar;
  private final int ranking;
  private final PluginLog log;
  private final Thread thread;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch registered = new CountDownLatch(1);
  private final Consumer<PluginSupervisor> onRegistered;
  private volatile PluginProcess current;
  private volatile Runnable registration;
  private volatile String lastError;
  private volatile int launches;

  PluginSupervisor(
      PluginSettings settings,
      EventLoopGroup group,
      Registrar registrar,
      int ranking,
      Consumer<PluginSupervisor> onRegistered) {
    this.settings = settings;
    this.group = group;
    this.registrar = registrar;
    this.ranking = ranking;
    this.onRegistered = onRegistered == null ? s -> {} : onRegistered;
    this.log = new PluginLog(settings.name(), settings.logLevel());
    this.thread = new Thread(this::run, "openkcm-plugin-" + settings.name());
    this.thread.setDaemon(true);
  }

  PluginSupervisor start() {
    thread.start();
    return this;
  }

  private void run() {
    Duration backoff = FIRST_BACKOFF;
    while (stop.getCount() > 0) {
      long started = System.nanoTime();
      Runnable unregister = null;
      try {
        PluginProcess p = PluginProcess.launch(settings, group, log);
        current = p;
        launches++;
        unregister = once(registrar.register(p.keystore(), properties(p)));
        registration = unregister;
        registered.countDown();
        lastError = null;
        LOG.info(
            "plugin '{}': running as pid {}, registered as backend '{}'",
            settings.name(),
            p.pid(),
            settings.name());
        onRegistered.accept(this);
        watch(p);
      } catch (HandshakeException e) {
        if (!Objects.equals(e.getMessage(), lastError)) {
          LOG.error("plugin '{}': {}", settings.name(), e.getMessage());
        }
        lastError = e.getMessage();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } finally {
        registration = null;
        if (unregister != null) {
          unregister.run();
        }
        PluginProcess p = current;
        current = null;
        if (p != null) {
          p.stop();
        }
      }
      if (Duration.ofNanos(System.nanoTime() - started).compareTo(STABLE) > 0) {
        backoff = FIRST_BACKOFF;
      }
      try {
        if (stop.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
          break;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      backoff =
          backoff.multipliedBy(2).compareTo(settings.maxBackoff()) > 0
              ? settings.maxBackoff()
              : backoff.multipliedBy(2);
    }
  }

  private void watch(PluginProcess p) throws InterruptedException {
    int failures = 0;
    while (stop.getCount() > 0) {
      if (p.waitForExit(settings.healthInterval())) {
        if (stop.getCount() > 0) {
          LOG.warn("plugin '{}': process {} exited; restarting", settings.name(), p.pid());
        }
        return;
      }
      if (stop.getCount() == 0) {
        return;
      }
      failures = p.healthy() ? 0 : failures + 1;
      if (failures >= HEALTH_FAILURES) {
        LOG.warn(
            "plugin '{}': {} health checks failed; killing process {} and restarting",
            settings.name(),
            failures,
            p.pid());
        return;
      }
    }
  }

  private Map<String, Object> properties(PluginProcess p) {
    Map<String, Object> props = new LinkedHashMap<>();
    props.put(Keystore.BACKEND_PROPERTY, settings.name());
    props.put("service.ranking", ranking);
    props.put("keystore.plugin.path", settings.path().toString());
    props.put("keystore.plugin.pid", p.pid());
    props.put("keystore.plugin.tags", settings.tags().toArray(new String[0]));
    return props;
  }

  private static Runnable once(Runnable r) {
    AtomicBoolean done = new AtomicBoolean();
    return () -> {
      if (done.compareAndSet(false, true)) {
        r.run();
      }
    };
  }

  /**
   * Stops watching; unregisters first, so the core sends nothing new to this process (calls wait
   * for the successor, or go to one already registered); lets the calls still running on it finish
   * (at most {@link #DRAIN}); then shuts the process down (Controller/Shutdown, ~2 s, kill) and
   * waits.
   */
  void stop() {
    stop.countDown();
    Runnable r = registration;
    if (r != null) {
      r.run();
    }
    PluginProcess p = current;
    if (p != null) {
      p.keystore().awaitIdle(DRAIN);
      // wakes the watch: it returns when the process exits
      p.stop();
    }
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * @return whether the process got registered within the wait
   */
  boolean awaitRegistered(Duration wait) {
    try {
      return registered.await(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  PluginSettings settings() {
    return settings;
  }

  /**
   * @return the running process's pid, or -1
   */
  long pid() {
    PluginProcess p = current;
    return p == null ? -1 : p.pid();
  }

  /**
   * @return the last launch failure, or null while running
   */
  String lastError() {
    return lastError;
  }

  int launches() {
    return launches;
  }
}
