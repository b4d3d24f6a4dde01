package org.openkcm.keystore.postgres.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests, on a free loopback port, in its own temporary data directory:
 * {@code initdb} (password auth over TCP, trust on the private Unix socket the harness uses for
 * administration), {@code pg_ctl start}, and {@link #kill()} (SIGKILL of the postmaster) + {@link
 * #restart()} for crash tests. {@code initdb} and {@code postgres} refuse to run as root, so as
 * root every server command runs as the {@code postgres} system user through {@code runuser}.
 * Binaries come from {@code PG_BIN}, else the newest {@code /usr/lib/postgresql/<n>/bin}; a missing
 * installation or a server that does not start fails loudly. Waits poll the port and {@code
 * pg_isready}, never fixed sleeps.
 */
public final class PostgresServer implements AutoCloseable {
  public static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  public static final String USER = "ks";
  public static final String DATABASE = "keystore";

  private final Path bin;
  private final Path workDir;
  private final Path data;
  private final int port;
  private final String password;
  private final boolean tls;
  private Path caFile;

  private PostgresServer(boolean tls) throws IOException {
    this(tls, "pw-" + UUID.randomUUID());
  }

  private PostgresServer(boolean tls, String password) throws IOException {
    this.bin = findBinaries();
    this.tls = tls;
    this.password = password;
    this.workDir = Files.createTempDirectory("postgres-test-");
    this.data = workDir.resolve("data");
    this.port = freeLoopbackPort();
  }

  /**
   * A plain-TCP server with database {@value #DATABASE} and user {@value #USER} (password auth).
   */
  public static PostgresServer start() {
    return start(false);
  }

  /**
   * The same over TLS: a CA and a server certificate for 127.0.0.1 only (not {@code localhost}, so
   * host name checks can be tested) made with {@code openssl}; TCP connections without TLS are
   * refused ({@code hostssl} only). See {@link #caFile()}.
   */
  public static PostgresServer startTls() {
    return start(true);
  }

  private static PostgresServer start(boolean tls) {
    PostgresServer s;
    try {
      s = new PostgresServer(tls);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare a PostgreSQL server", e);
    }
    try {
      s.init();
      s.launch();
      s.psqlOk("postgres", "CREATE DATABASE " + DATABASE);
      return s;
    } catch (RuntimeException | Error e) {
      String log = s.log();
      s.close();
      throw new IllegalStateException(
          "PostgreSQL did not start: " + e.getMessage() + "\nLog:\n" + log, e);
    }
  }

  /**
   * A real hot standby of this server: {@code pg_basebackup -R} (streaming replication over the
   * admin socket) into a new data directory, started on its own free port. It serves reads of
   * everything the primary committed and refuses writes ({@code pg_is_in_recovery()} is true); same
   * user and password.
   */
  public PostgresServer startStandby() {
    PostgresServer s;
    try {
      s = new PostgresServer(false, password);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare a standby", e);
    }
    try {
      s.run(
          List.of(
              bin.resolve("pg_basebackup").toString(),
              "-h",
              workDir.toString(),
              "-p",
              String.valueOf(port),
              "-U",
              USER,
              "-D",
              s.data.toString(),
              "-R",
              "-X",
              "stream",
              "-c",
              "fast"),
          Duration.ofSeconds(120),
          true);
      s.launch();
      return s;
    } catch (RuntimeException | Error e) {
      String log = s.log();
      s.close();
      throw new IllegalStateException(
          "the standby did not start: " + e.getMessage() + "\nLog:\n" + log, e);
    }
  }

  private void init() {
    Path pwfile = workDir.resolve("initdb.pw");
    write(pwfile, password + "\n");
    run(
        List.of(
            bin.resolve("initdb").toString(),
            "-D",
            data.toString(),
            "-U",
            USER,
            "-E",
            "UTF8",
            "--locale=C",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--pwfile=" + pwfile),
        Duration.ofSeconds(120),
        true);
    if (tls) {
      makeCertificates();
      write(
          data.resolve("pg_hba.conf"),
          "local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n");
    }
  }

  private void launch() {
    String opts =
        "-p "
            + port
            + " -k "
            + workDir
            + " -c listen_addresses=127.0.0.1 -c max_connections=200"
            + (tls
                ? " -c ssl=on -c ssl_cert_file="
                    + workDir.resolve("server.crt")
                    + " -c ssl_key_file="
                    + workDir.resolve("server.key")
                : "");
    run(
        List.of(
            bin.resolve("pg_ctl").toString(),
            "-D",
            data.toString(),
            "-l",
            workDir.resolve("server.log").toString(),
            "-o",
            opts,
            "-w",
            "-t",
            String.valueOf(START_TIMEOUT.toSeconds()),
            "start"),
        START_TIMEOUT.plusSeconds(10),
        true);
    awaitReady();
  }

  /**
   * @return {@code PG_BIN}, else the newest {@code /usr/lib/postgresql/<n>/bin} holding initdb
   */
  public static Path findBinaries() {
    String env = System.getenv("PG_BIN");
    if (env != null && Files.isExecutable(Path.of(env, "initdb"))) {
      return Path.of(env);
    }
    Path root = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(root)) {
      try (Stream<Path> versions = Files.list(root)) {
        Path found =
            versions
                .map(v -> v.resolve("bin"))
                .filter(b -> Files.isExecutable(b.resolve("initdb")))
                .max(
                    Comparator.comparing(
                        p -> p.getParent().getFileName().toString(),
                        Comparator.comparingInt(PostgresServer::number)))
                .orElse(null);
        if (found != null) {
          return found;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalStateException(
        "no PostgreSQL server binaries (initdb) in PG_BIN or /usr/lib/postgresql/*/bin:"
            + " run .ci/install-deps (apt-get install postgresql)");
  }

  private static int number(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  public int port() {
    return port;
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
  }

  public String user() {
    return USER;
  }

  /** The password of {@value #USER} (tests only). */
  public String password() {
    return password;
  }

  /**
   * @return a file holding the password, readable by the test JVM, for a {@code passwordFile}
   *     setting
   */
  public Path passwordFile() {
    Path f = workDir.resolve("client.pw");
    if (!Files.exists(f)) {
      write(f, password + "\n");
    }
    return f;
  }

  /**
   * @return the CA certificate (PEM) of a {@link #startTls()} server, {@code null} otherwise
   */
  public Path caFile() {
    return caFile;
  }

  /**
   * @return whether the port accepts TCP connections
   */
  public boolean isAccepting() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * SIGKILL of the postmaster, as a crash would; waits until it and every backend it started are
   * gone.
   */
  public void kill() {
    long pid = postmasterPid();
    ProcessHandle pm = ProcessHandle.of(pid).orElse(null);
    if (pm == null) {
      return;
    }
    List<ProcessHandle> children = pm.descendants().toList();
    pm.destroyForcibly();
    awaitGone(pm);
    // the backends notice the postmaster's death and exit by themselves; kill the slow ones as a
    // crash would
    children.forEach(ProcessHandle::destroyForcibly);
    children.forEach(this::awaitGone);
  }

  /**
   * Starts the server again on the same port and data directory (crash recovery replays the WAL).
   */
  public void restart() {
    launch();
  }

  /** {@code pg_ctl stop -m fast}. */
  public void stop() {
    if (Files.exists(data.resolve("postmaster.pid"))) {
      run(
          List.of(
              bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "stop"),
          Duration.ofSeconds(60),
          false);
    }
  }

  /** Stops the server and deletes its data directory. */
  @Override
  public void close() {
    try {
      stop();
    } catch (RuntimeException e) {
      kill();
    }
    try (Stream<Path> files = Files.walk(workDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // temp directory: best effort
    }
  }

  /**
   * Runs SQL through {@code psql} on the admin socket (as superuser {@value #USER}); returns
   * unaligned output.
   */
  public String psql(String database, String sql) {
    return run(
        List.of(
            bin.resolve("psql").toString(),
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-At",
            "-h",
            workDir.toString(),
            "-p",
            String.valueOf(port),
            "-U",
            USER,
            "-d",
            database,
            "-c",
            sql),
        Duration.ofSeconds(120),
        true);
  }

  private String psqlOk(String database, String sql) {
    return psql(database, sql);
  }

  /**
   * @return every table of {@code schema} as text, one row per line, bytea columns in PostgreSQL's
   *     hex form: what a reader of the database (or of a plain-text dump) sees
   */
  public String dumpSchema(String schema) {
    StringBuilder out = new StringBuilder();
    for (String table :
        psql(
                DATABASE,
                "SELECT tablename FROM pg_tables WHERE schemaname = '" + schema + "' ORDER BY 1")
            .split("\n")) {
      if (!table.isBlank()) {
        out.append(psql(DATABASE, "SELECT t::text FROM " + schema + "." + table + " t"))
            .append('\n');
      }
    }
    return out.toString();
  }

  /**
   * Forces a checkpoint, then @return the raw bytes of every file of the database cluster's tables
   * and WAL (what a stolen disk or file-level backup holds), concatenated.
   */
  public byte[] rawFiles() {
    psql(DATABASE, "CHECKPOINT");
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (String dir : List.of("base", "pg_wal")) {
      try (Stream<Path> files = Files.walk(data.resolve(dir))) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          out.write(Files.readAllBytes(f));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out.toByteArray();
  }

  /**
   * @return the server's log so far (for failure messages)
   */
  public String log() {
    try {
      return Files.readString(workDir.resolve("server.log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private long postmasterPid() {
    try {
      return Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("no postmaster.pid: is the server running?", e);
    }
  }

  private void awaitGone(ProcessHandle p) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (p.isAlive()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("process " + p.pid() + " did not exit after SIGKILL");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      String out =
          run(
              List.of(
                  bin.resolve("pg_isready").toString(),
                  "-h",
                  workDir.toString(),
                  "-p",
                  String.valueOf(port),
                  "-U",
                  USER),
              Duration.ofSeconds(10),
              false);
      if (out.contains("accepting connections") && isAccepting()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "PostgreSQL on port " + port + " never accepted connections: " + out);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  private void makeCertificates() {
    Path ca = workDir.resolve("ca.crt");
    Path caKey = workDir.resolve("ca.key");
    Path csr = workDir.resolve("server.csr");
    Path ext = workDir.resolve("server.ext");
    write(ext, "subjectAltName=IP:127.0.0.1\n");
    String openssl = "openssl";
    run(
        List.of(
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=openkcm-test-ca",
            "-keyout",
            caKey.toString(),
            "-out",
            ca.toString()),
        Duration.ofSeconds(60),
        true);
    run(
        List.of(
            openssl,
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=openkcm-test-server",
            "-keyout",
            workDir.resolve("server.key").toString(),
            "-out",
            csr.toString()),
        Duration.ofSeconds(60),
        true);
    run(
        List.of(
            openssl,
            "x509",
            "-req",
            "-in",
            csr.toString(),
            "-CA",
            ca.toString(),
            "-CAkey",
            caKey.toString(),
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            ext.toString(),
            "-out",
            workDir.resolve("server.crt").toString()),
        Duration.ofSeconds(60),
        true);
    this.caFile = ca;
    try {
      Files.setPosixFilePermissions(
          workDir.resolve("server.key"), PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    chownToPostgres(workDir.resolve("server.key"));
    chownToPostgres(workDir.resolve("server.crt"));
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private void chownToPostgres(Path p) {
    if (isRoot()) {
      run(List.of("chown", "postgres", p.toString()), Duration.ofSeconds(10), true);
    }
  }

  /**
   * Runs a command (as {@code postgres} when we are root); returns its output; fails on a non-zero
   * exit if asked.
   */
  private String run(List<String> command, Duration timeout, boolean mustSucceed) {
    List<String> cmd = new ArrayList<>();
    boolean server = command.get(0).startsWith(bin.toString());
    if (server && isRoot()) {
      chownTree();
      cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    cmd.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
    pb.environment().put("LC_ALL", "C");
    Path out = workDir.resolve("cmd-" + UUID.randomUUID() + ".out");
    pb.redirectOutput(out.toFile());
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(
            command.get(0) + " did not finish in " + timeout.toSeconds() + " s");
      }
      String text = Files.readString(out, StandardCharsets.UTF_8).trim();
      Files.deleteIfExists(out);
      if (mustSucceed && p.exitValue() != 0) {
        throw new IllegalStateException(
            Path.of(command.get(0)).getFileName() + " failed (" + p.exitValue() + "): " + text);
      }
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command.get(0), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command.get(0), e);
    }
  }

  private boolean chowned;

  /** The postgres user must own the work directory (data, socket, log) and be able to enter it. */
  private void chownTree() {
    if (chowned) {
      return;
    }
    chowned = true;
    try {
      new ProcessBuilder("chown", "-R", "postgres", workDir.toString())
          .inheritIO()
          .start()
          .waitFor(30, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void write(Path p, String text) {
    try {
      Files.writeString(p, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * @return a loopback port that was free a moment ago
   */
  public static int freeLoopbackPort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
