package org.openkcm.keystore.core.internal.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bridges config.yaml and the environment into ConfigAdmin, and keeps watching the file: a change
 * applies at runtime (within the poll interval, 1 s by default); an invalid file is rejected with
 * one log line naming the field and the configuration in force stays. Polling the content, rather
 * than directory events, also sees editors that replace the file and Kubernetes ConfigMap symlink
 * swaps. A file that disappears changes nothing (an editor's save may remove it for a moment).
 *
 * <p>The documented precedence holds after start too: a configuration the bridge wrote that someone
 * else changes or deletes (a Web Console or {@code .cfg} edit) is written back from config.yaml and
 * the environment at once, so such an edit never outlives the moment; sections config.yaml does not
 * set stay free for the console.
 *
 * <p>Path: {@code OPENKCM_KEYSTORE_CONFIG}, else the framework property {@value #PATH_PROPERTY},
 * else {@code conf/config.yaml} under the working directory.
 */
@Component(
    immediate = true,
    service = {ConfigFileStatus.class, ConfigurationListener.class})
public final class ConfigFileBridge implements ConfigFileStatus, ConfigurationListener {
  static final String PATH_PROPERTY = "openkcm.keystore.config";
  static final String POLL_PROPERTY = "openkcm.keystore.config.pollMillis";

  /** Test hook: ignore the process environment (keeps in-container tests hermetic on a CI host). */
  static final String IGNORE_ENV_PROPERTY = "openkcm.keystore.config.ignoreEnvironment";

  private static final Logger LOG = LoggerFactory.getLogger(ConfigFileBridge.class);

  private final ConfigSync sync;
  private final Path file;
  private final Map<String, String> env;
  private final long pollMillis;
  private final ScheduledExecutorService watcher =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "keystore-config-watch");
            t.setDaemon(true);
            return t;
          });
  private byte[] lastSeen;
  private final DeclaredSectionTracker declarations;
  private volatile boolean started;

  @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
  private volatile FieldCatalog catalog;

  @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
  private volatile org.openkcm.keystore.core.internal.routing.RoutingChanges routingChanges;

  private volatile String lastOutcome = "not read yet";
  private final java.util.concurrent.atomic.AtomicLong applied =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong rejected =
      new java.util.concurrent.atomic.AtomicLong();

  @Activate
  public ConfigFileBridge(@Reference ConfigurationAdmin configAdmin, BundleContext context) {
    this.env =
        Boolean.parseBoolean(context.getProperty(IGNORE_ENV_PROPERTY)) ? Map.of() : System.getenv();
    String configured = env.get(EnvironmentOverrides.CONFIG_PATH_VARIABLE);
    if (configured == null || configured.isBlank()) {
      configured = context.getProperty(PATH_PROPERTY);
    }
    this.file =
        Paths.get(configured == null || configured.isBlank() ? "conf/config.yaml" : configured)
            .toAbsolutePath();
    this.pollMillis = pollMillis(context.getProperty(POLL_PROPERTY));
    this.sync =
        new ConfigSync(
            configAdmin,
            "config.yaml",
            () -> {
              FieldCatalog c = catalog;
              return c == null ? FieldCatalog.NONE : c;
            },
            () -> routingChanges,
            this::declared);
    this.declarations = new DeclaredSectionTracker(context, this::declarationsChanged);
  }

  private SectionDeclarations declared() {
    DeclaredSectionTracker d = declarations;
    return d == null ? SectionDeclarations.NONE : d.current();
  }

  /** A bundle declaring config.yaml sections came or went: apply the file again by its rules. */
  private void declarationsChanged() {
    if (!started || watcher.isShutdown()) {
      return;
    }
    try {
      watcher.execute(this::reapply);
    } catch (java.util.concurrent.RejectedExecutionException stopping) {
      // deactivating
    }
  }

  private synchronized void reapply() {
    LOG.info("The config.yaml sections bundles declare changed: applying {} again", file);
    apply(lastSeen == null ? new byte[0] : lastSeen);
  }

  @Activate
  void activate() {
    LOG.info("Configuration file: {} (watched every {} ms)", file, pollMillis);
    declarations.open();
    check(true);
    started = true;
    watcher.scheduleWithFixedDelay(
        () -> check(false), pollMillis, pollMillis, TimeUnit.MILLISECONDS);
  }

  @Deactivate
  void deactivate() {
    watcher.shutdownNow();
    declarations.close();
  }

  /** Reads the file and applies it if its content changed since the last look (or at start). */
  private synchronized void check(boolean atStart) {
    byte[] content;
    try {
      content = read(file);
    } catch (NoSuchFileException e) {
      if (atStart) {
        LOG.info("No configuration file at {}: using environment variables and defaults", file);
        apply(new byte[0]);
        lastSeen = null;
      } else if (lastSeen != null) {
        // never silently: an accidental delete must not reroute keys, and an operator must know the
        // file is gone
        LOG.warn(
            "Configuration file {} was DELETED. The configuration last applied from it (routing rules included) stays"
                + " in force until the file is back; a restart without it uses the environment and defaults only.",
            file);
        lastOutcome =
            "DELETED at "
                + java.time.Instant.now()
                + ": the configuration last applied from it stays in force"
                + " until the file is back; a restart without it uses the environment and defaults only";
        lastSeen = null;
      }
      return;
    } catch (IOException e) {
      LOG.error(
          "Cannot read configuration file {}: {}; the configuration in force stays",
          file,
          e.toString());
      return;
    }
    if (!atStart && Arrays.equals(content, lastSeen)) {
      return;
    }
    lastSeen = content;
    apply(content);
  }

  private void apply(byte[] content) {
    try {
      Map<String, Map<String, Object>> pids =
          sync.apply(new String(content, StandardCharsets.UTF_8), env);
      lastOutcome = "applied at " + java.time.Instant.now() + ": " + pids.keySet();
      applied.incrementAndGet();
    } catch (InvalidConfigurationException e) {
      LOG.error(
          "Configuration {} rejected: {}. The previous configuration stays in force.",
          file,
          e.getMessage());
      lastOutcome =
          "rejected at "
              + java.time.Instant.now()
              + ": "
              + e.getMessage()
              + " (previous configuration in force)";
      rejected.incrementAndGet();
    } catch (IOException | RuntimeException e) {
      LOG.error("Configuration {} could not be applied: {}", file, e.toString());
      lastOutcome =
          "failed at "
              + java.time.Instant.now()
              + ": "
              + e.getClass().getSimpleName()
              + ": "
              + org.openkcm.keystore.model.Limits.printable(String.valueOf(e.getMessage()));
      rejected.incrementAndGet();
    }
  }

  /**
   * Someone changed or deleted a configuration that comes from config.yaml or the environment:
   * restore it.
   */
  @Override
  public void configurationEvent(ConfigurationEvent event) {
    if ((event.getType() == ConfigurationEvent.CM_UPDATED
            || event.getType() == ConfigurationEvent.CM_DELETED)
        && sync.owns(event.getPid())
        && !watcher.isShutdown()) {
      try {
        watcher.execute(() -> reassert(event.getPid()));
      } catch (java.util.concurrent.RejectedExecutionException stopping) {
        // deactivating: nothing to restore any more
      }
    }
  }

  private synchronized void reassert(String pid) {
    if (lastSeen == null || !sync.differs(pid)) {
      return;
    }
    LOG.warn(
        "Configuration {} was changed outside {}; config.yaml and the environment take precedence: restoring it",
        pid,
        file);
    apply(lastSeen);
  }

  @Override
  public Path file() {
    return file;
  }

  @Override
  public String lastOutcome() {
    return lastOutcome;
  }

  @Override
  public long appliedCount() {
    return applied.get();
  }

  @Override
  public long rejectedCount() {
    return rejected.get();
  }

  private static long pollMillis(String value) {
    try {
      return value == null ? 1000 : Math.max(50, Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      LOG.warn(
          "Ignoring {}={}: not a number of milliseconds; polling every second",
          POLL_PROPERTY,
          value);
      return 1000;
    }
  }

  private static byte[] read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return in.readNBytes(YamlConfigReader.MAX_BYTES + 1);
    }
  }
}
