package org.openkcm.keystore.core.internal.shell;

import java.util.Arrays;
import java.util.List;
import org.apache.felix.service.command.Descriptor;
import org.openkcm.keystore.api.BackendStatus;
import org.openkcm.keystore.api.KeyService;
import org.openkcm.keystore.api.KeystoreAdmin;
import org.openkcm.keystore.api.MigrationReport;
import org.openkcm.keystore.api.RouteView;
import org.openkcm.keystore.core.internal.backend.BackendDirectory;
import org.openkcm.keystore.core.internal.config.ConfigFileStatus;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.IntegrityException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.Keystore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Operator commands in the Gogo shell, scope {@code keystore}. Every command returns text; a
 * failure is one line {@code error: Kind: message}. Key material is never printed: {@code get}
 * shows metadata, a key check value and the outcome of an encrypt/decrypt round trip.
 */
@Component(
    // Gogo finds commands by their properties: the registration names no internal type
    service = Object.class,
    property = {
      "osgi.command.scope=keystore",
      "osgi.command.function=backends",
      "osgi.command.function=routes",
      "osgi.command.function=list",
      "osgi.command.function=search",
      "osgi.command.function=show",
      "osgi.command.function=check",
      "osgi.command.function=migrate",
      "osgi.command.function=create",
      "osgi.command.function=get",
      "osgi.command.function=rotate",
      "osgi.command.function=destroy",
      "osgi.command.function=config"
    })
public final class KeystoreCommands {
  /** The command names, as in the component's {@code osgi.command.function} properties. */
  static final List<String> FUNCTIONS =
      List.of(
          "backends",
          "routes",
          "list",
          "search",
          "show",
          "check",
          "migrate",
          "create",
          "get",
          "rotate",
          "destroy",
          "config");

  private static final String WRONG = "(wrong arguments: prints the usage line)";
  private static final String FILTER =
      "[tier=L2|L3|L4] [owner=type:id] [status=S1,S2] [algorithm=AES] [prefix=P] [id=ID] [tag.NAME=value]"
          + " [size=N] [page=cursor]; quote an argument holding * or ?";
  private final KeystoreAdmin admin;
  private final BackendDirectory directory;

  @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
  private volatile KeyService keyService;

  @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
  private volatile ConfigFileStatus configFile;

  @Activate
  public KeystoreCommands(@Reference KeystoreAdmin admin, @Reference BackendDirectory directory) {
    this.admin = ShellActor.acting(KeystoreAdmin.class, admin);
    this.directory = directory;
  }

  /** For tests outside OSGi. */
  KeystoreCommands(KeystoreAdmin admin, BackendDirectory directory, KeyService keyService) {
    this(admin, directory);
    this.keyService = keyService;
  }

  /** For tests outside OSGi. */
  KeystoreCommands(
      KeystoreAdmin admin,
      BackendDirectory directory,
      KeyService keyService,
      ConfigFileStatus configFile) {
    this(admin, directory, keyService);
    this.configFile = configFile;
  }

  /** keystore:backends — every configured or present backend with its last known state. */
  @Descriptor("configured and present backends: state, latency, key count, last error, breaker")
  public String backends() {
    StringBuilder b = new StringBuilder(Formats.backendHeader()).append('\n');
    admin.backends().forEach(s -> b.append(Formats.backendLine(s)).append('\n'));
    return b.toString();
  }

  @Descriptor(WRONG)
  public String backends(@Descriptor("none: the command takes no arguments") String... extra) {
    return usage("keystore:backends");
  }

  /** keystore:routes — the routing rules in evaluation order, the default last. */
  @Descriptor("the routing rules in evaluation order, the default last")
  public String routes() {
    StringBuilder b = new StringBuilder();
    for (RouteView r : admin.routes()) {
      b.append(String.format("%2d. %-50s -> %s%n", r.position(), r.condition(), r.backend()));
    }
    return b.toString();
  }

  @Descriptor(WRONG)
  public String routes(@Descriptor("none: the command takes no arguments") String... extra) {
    return usage("keystore:routes");
  }

  /** keystore:config — the watched config.yaml and what happened at its last change. */
  @Descriptor(
      "the watched config.yaml: where it is, whether it exists, the outcome of its last change")
  public String config() {
    ConfigFileStatus s = configFile;
    if (s == null) {
      return "error: BackendUnavailable: the configuration bridge is not running\n";
    }
    String where =
        s.exists()
            ? s.file().toString()
            : s.file()
                + " (ABSENT: expected here, OPENKCM_KEYSTORE_CONFIG names another path; a commented default ships as"
                + " conf/config.yaml of the runtime)";
    return "file:     "
        + where
        + "\nlast:     "
        + s.lastOutcome()
        + "\napplied:  "
        + s.appliedCount()
        + "\nrejected: "
        + s.rejectedCount()
        + "\n";
  }

  @Descriptor(WRONG)
  public String config(@Descriptor("none: the command takes no arguments") String... extra) {
    return usage("keystore:config");
  }

  /**
   * keystore:list [tier=] [owner=type:id] [status=A,B] [algorithm=] [prefix=] [id=] [tag.NAME=]
   * [size=] [page=]
   */
  @Descriptor("key metadata across every configured backend, never material")
  public String list(@Descriptor("filter: " + FILTER) String... args) {
    return run(
        () -> {
          Page<KeyMetadata> page = directory.listReachable(ShellArguments.parse(args).filter());
          StringBuilder b = new StringBuilder(Formats.KEY_HEADER).append('\n');
          page.items().forEach(m -> b.append(Formats.keyLine(m)).append('\n'));
          b.append(page.items().size()).append(" key(s)");
          page.nextCursor().ifPresent(c -> b.append("; next page: page=").append(c));
          b.append('\n');
          if (page.partial()) {
            b.append("PARTIAL: backend(s) unavailable: ")
                .append(String.join(", ", page.unavailableBackends()))
                .append(" (their keys are not in this listing; keystore:backends shows why)\n");
          }
          return b.toString();
        });
  }

  /** keystore:search — the same as list. */
  @Descriptor("the same as keystore:list")
  public String search(@Descriptor("filter: " + FILTER) String... args) {
    return list(args);
  }

  /** keystore:show id[@version] — one record's metadata and where it is stored. */
  @Descriptor(
      "one record's metadata, the backend that holds it, its revision and whether its state authenticates")
  public String show(
      @Descriptor("<id>[@version]: a bare id is the highest ACTIVE version") String key) {
    return run(
        () -> {
          ShellLine.checkNotCut();
          ShellArguments.notAPattern("key", key);
          KeyRef ref =
              key != null && key.indexOf('@') >= 0
                  ? KeyRef.parse(key)
                  : KeyRequests.resolve(service(), key);
          List<String> down = new java.util.ArrayList<>();
          BackendUnavailableException firstDown = null;
          for (Keystore k : directory.configured()) {
            try {
              KeyRecord r = k.retrieve(ref);
              StringBuilder b = new StringBuilder(Formats.keyDetails(r.metadata()));
              Formats.line(b, "backend", k.info().name());
              Formats.line(
                  b, "record", r.sealedLength() + " sealed bytes, revision " + r.revision());
              Formats.line(b, "integrity", integrity(ref));
              return b.toString();
            } catch (KeyNotFoundException e) {
              // try the next backend
            } catch (BackendUnavailableException
                | org.openkcm.keystore.model.BackendSealedException e) {
              down.add(k.info().name()); // another backend may hold it: keep looking
              firstDown =
                  firstDown != null
                      ? firstDown
                      : e instanceof BackendUnavailableException u ? u : null;
            }
          }
          if (!down.isEmpty()) {
            throw new BackendUnavailableException(
                String.join(",", down),
                ref,
                "key "
                    + ref
                    + " is in no reachable backend; not checked: "
                    + String.join(", ", down)
                    + " (unavailable)",
                null,
                firstDown);
          }
          throw new KeyNotFoundException(ref, null, "key " + ref + " is in no configured backend");
        });
  }

  @Descriptor(WRONG)
  public String show(@Descriptor("<id>[@version]") String... args) {
    return usage("keystore:show <id>[@version]");
  }

  /** keystore:check [backend] — health now (all configured backends when none is named). */
  @Descriptor("runs a health check now and prints the backends' state")
  public String check(
      @Descriptor("[backend ...]: the backends to check (default: every configured one)")
          String... backend) {
    return run(
        () -> {
          StringBuilder b = new StringBuilder(Formats.backendHeader()).append('\n');
          List<String> names =
              backend.length > 0
                  ? Arrays.asList(backend)
                  : admin.backends().stream()
                      .filter(BackendStatus::configured)
                      .map(BackendStatus::name)
                      .toList();
          for (String n : names) {
            b.append(Formats.backendLine(admin.checkHealth(n))).append('\n');
          }
          return b.toString();
        });
  }

  /**
   * keystore:migrate [--force] target [filter arguments as for list] — copy, verify, delete at the
   * source. Onto a volatile backend only with --force (the keys would be lost at the next restart).
   */
  @Descriptor("moves keys to another backend: copy, verify, delete at the source")
  public String migrate(
      @Descriptor("[--force] <target>: the backend to move to (--force: allow a volatile one)")
          String target,
      @Descriptor("filter as for keystore:list: " + FILTER) String... filter) {
    boolean force = "--force".equals(target);
    if (force && filter.length == 0) {
      return usage(MIGRATE);
    }
    String to = force ? filter[0] : target;
    String[] rest =
        force && filter.length > 0
            ? java.util.Arrays.copyOfRange(filter, 1, filter.length)
            : filter;
    return run(
        () -> {
          MigrationReport r = admin.migrate(ShellArguments.parse(rest).filter(), to, force);
          StringBuilder b =
              new StringBuilder(
                  String.format(
                      "migrated to %s: %d moved, %d skipped, %d failed%n",
                      r.target(), r.moved(), r.skipped(), r.failed()));
          r.failures().forEach(f -> b.append("  ").append(f).append('\n'));
          return b.toString();
        });
  }

  @Descriptor(WRONG)
  public String migrate(@Descriptor("[--force] <target> [filter]") String... args) {
    return usage(MIGRATE);
  }

  /**
   * keystore:create tier owner [id=] [parent=] [algorithm=] [size=] [status=] [expires=]
   * [tag.NAME=]
   */
  @Descriptor("creates a key through the crypto core and prints its metadata")
  public String create(
      @Descriptor("<tier>: L2 (tenant), L3 (service) or L4 (data key)") String tier,
      @Descriptor("<type:owner>: the key's owner, e.g. tenant:acme or service:billing")
          String owner,
      @Descriptor(
              "[id=ID] [parent=ID] [algorithm=AES] [size=256] [status=PRE_ACTIVE|ACTIVE] [expires=2027-01-01T00:00:00Z]"
                  + " [tag.NAME=value]")
          String... args) {
    return run(
        () ->
            Formats.keyDetails(
                service().create(KeyRequests.create(tier, owner, ShellArguments.parse(args)))));
  }

  @Descriptor(WRONG)
  public String create(@Descriptor("<tier> <type:owner> [name=value ...]") String... args) {
    return usage(CREATE);
  }

  /**
   * @return "ok" if the core authenticates the record's state, else what failed
   */
  private String integrity(KeyRef ref) {
    try {
      service().metadata(ref);
      return "ok (state authenticated by the core)";
    } catch (IntegrityException e) {
      return "FAILED: " + e.getMessage();
    } catch (KeystoreException e) {
      return "not checked: " + e.getMessage();
    }
  }

  /**
   * keystore:get id[@version] — opens the key; prints metadata, key check value and a round trip,
   * never material.
   */
  @Descriptor(
      "opens a key: metadata, key check value and an encrypt/decrypt round trip, never material")
  public String get(
      @Descriptor("<id>[@version]: a bare id is the highest ACTIVE version") String key) {
    return run(() -> KeyRequests.describeOpened(service(), KeyRequests.resolve(service(), key)));
  }

  @Descriptor(WRONG)
  public String get(@Descriptor("<id>[@version]") String... args) {
    return usage("keystore:get <id>[@version]");
  }

  /** keystore:rotate id — creates the next version as ACTIVE. */
  @Descriptor(
      "creates the key's next version as ACTIVE; the previous one becomes DEPRECATED (still decrypts)")
  public String rotate(@Descriptor("<id>: the key to rotate") String keyId) {
    return run(
        () -> {
          ShellLine.checkNotCut();
          ShellArguments.notAPattern("key", keyId);
          return Formats.keyDetails(service().rotate(keyId));
        });
  }

  @Descriptor(WRONG)
  public String rotate(@Descriptor("<id>") String... args) {
    return usage("keystore:rotate <id>");
  }

  /** keystore:destroy id [cascade] — crypto-shreds every version. */
  @Descriptor("crypto-shreds every version of a key; a parent with live children only with cascade")
  public String destroy(
      @Descriptor("<id>: the key to destroy") String keyId,
      @Descriptor("[cascade]: also destroy its children") String... cascade) {
    if (cascade.length > 1 || cascade.length == 1 && !cascade[0].equals("cascade")) {
      return usage(DESTROY);
    }
    return run(
        () -> {
          ShellLine.checkNotCut();
          ShellArguments.notAPattern("key", keyId);
          boolean all = cascade.length == 1;
          service().destroy(keyId, all);
          return "destroyed " + keyId + (all ? " and its children" : "") + "\n";
        });
  }

  @Descriptor(WRONG)
  public String destroy(@Descriptor("<id> [cascade]") String... args) {
    return usage(DESTROY);
  }

  private static final String CREATE =
      "keystore:create <tier L2|L3|L4> <type:owner> [id=ID] [parent=ID] [algorithm=AES] [size=256]"
          + " [status=PRE_ACTIVE|ACTIVE] [expires=ISO-8601] [tag.NAME=value]";
  private static final String DESTROY = "keystore:destroy <id> [cascade]";
  private static final String MIGRATE =
      "keystore:migrate [--force] <target> [filter as for keystore:list]";

  /**
   * @return the error line for wrong arguments and the command's usage line
   */
  static String usage(String usage) {
    return "error: InvalidKeyRequest: wrong arguments\nusage: " + usage + "\n";
  }

  private KeyService service() throws BackendUnavailableException {
    KeyService s = ShellActor.acting(KeyService.class, keyService);
    if (s == null) {
      throw new BackendUnavailableException(
          "core", "the key service (crypto core) is not running", null);
    }
    return s;
  }

  private static String run(Command c) {
    try {
      return c.run();
    } catch (KeystoreException e) {
      return Formats.error(e) + "\n";
    }
  }

  @FunctionalInterface
  private interface Command {
    String run() throws KeystoreException;
  }
}
