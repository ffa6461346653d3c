package io.brizo.state.postgres;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A private PostgreSQL server for a test: {@code initdb} into a temporary folder, then {@code
 * pg_ctl start} on 127.0.0.1 and a free port, with password authentication for the user {@link
 * #USER}; about a second. As root, both run as the {@code postgres} user through {@code runuser}
 * (PostgreSQL refuses to run as root). {@link #stop()} and {@link #restart()} stop and restart the
 * same server on the same port and data; {@link #close()} stops it and deletes its folder. A
 * shutdown hook stops it if the test JVM ends first.
 *
 * <p>Needs Debian's {@code postgresql} package ({@code test-servers/postgres/install.sh}).
 */
public final class PostgresServer implements AutoCloseable {
    /** The superuser the server is created with. */
    public static final String USER = "nonce_keeper";

    /** Its password. */
    public static final String PASSWORD = "test-secret-p4ssw0rd";

    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean asPostgres;
    private final Thread hook;
    private boolean running;

    private PostgresServer(Path bin, Path dir, int port, boolean asPostgres) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.asPostgres = asPostgres;
        this.hook = new Thread(this::stopQuietly, "stop-postgres-" + port);
    }

    /** {@return a new server, started} */
    public static PostgresServer start(Map<String, String> parameters) throws IOException, InterruptedException {
        Path bin = binDir();
        boolean asPostgres = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("brizo-pg-");
        if (asPostgres) {
            UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(dir, users.lookupPrincipalByName("postgres"));
        }
        Path pwfile = dir.resolve("pwfile");
        Files.writeString(pwfile, PASSWORD + "\n", StandardCharsets.UTF_8);
        if (asPostgres) {
            Files.setOwner(
                    pwfile, dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres"));
        }
        PostgresServer server = null;
        for (int attempt = 1; ; attempt++) {
            server = new PostgresServer(bin, dir, freePort(), asPostgres);
            if (attempt == 1) {
                server.run(
                        List.of(
                                bin.resolve("initdb").toString(),
                                "-D",
                                dir.resolve("data").toString(),
                                "-U",
                                USER,
                                "-A",
                                "scram-sha-256",
                                "--pwfile=" + pwfile,
                                "-E",
                                "UTF8",
                                "--no-sync"),
                        120);
                StringBuilder conf = new StringBuilder("\n# brizo tests\nfsync = on\nmax_connections = 200\n");
                parameters.forEach(
                        (k, v) -> conf.append(k).append(" = ").append(v).append('\n'));
                Files.writeString(
                        dir.resolve("data/postgresql.auto.conf"),
                        conf.toString(),
                        StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.APPEND);
            }
            try {
                server.restart();
                return server;
            } catch (IOException e) {
                if (attempt >= 3) {
                    server.close();
                    throw e;
                }
                // the free port was taken meanwhile: try another
            }
        }
    }

    /** {@return a new server with the default parameters, started} */
    public static PostgresServer start() throws IOException, InterruptedException {
        return start(Map.of());
    }

    /** Starts the server (again, after {@link #stop()}) on its port; waits until it accepts connections. */
    public synchronized void restart() throws IOException, InterruptedException {
        if (running) {
            return;
        }
        Runtime.getRuntime().addShutdownHook(hook);
        run(
                List.of(
                        bin.resolve("pg_ctl").toString(),
                        "-D",
                        dir.resolve("data").toString(),
                        "-w",
                        "-t",
                        "60",
                        "-o",
                        "-c listen_addresses=127.0.0.1 -p " + port + " -k " + dir,
                        "-l",
                        dir.resolve("log").toString(),
                        "start"),
                90);
        running = true;
    }

    /** Stops the server (fast shutdown: open connections are closed). */
    public synchronized void stop() throws IOException, InterruptedException {
        if (!running) {
            return;
        }
        run(
                List.of(
                        bin.resolve("pg_ctl").toString(),
                        "-D",
                        dir.resolve("data").toString(),
                        "-w",
                        "-m",
                        "fast",
                        "stop"),
                60);
        running = false;
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook itself is running
        }
    }

    /** {@return the port} */
    public int port() {
        return port;
    }

    /** {@return the JDBC URL of {@code database}, without credentials} */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** {@return the settings that select the PostgreSQL nonce store for {@code database}} */
    public Map<String, String> settings(String database) {
        return Map.of(
                "BRIZO_DATABASE_URL",
                jdbcUrl(database),
                "BRIZO_DATABASE_USER",
                USER,
                "BRIZO_DATABASE_PASSWORD",
                PASSWORD,
                "BRIZO_DATABASE_POOL_SIZE",
                "4",
                "BRIZO_DATABASE_TIMEOUT",
                "2s");
    }

    /** {@return the name of a new, empty database} */
    public String createDatabase() throws SQLException {
        String name = "brizo_test_" + DATABASES.incrementAndGet();
        try (Connection c = connect("postgres");
                Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        return name;
    }

    /** {@return a connection to {@code database} as the superuser} */
    public Connection connect(String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", USER);
        p.setProperty("password", PASSWORD);
        return DriverManager.getConnection(jdbcUrl(database), p);
    }

    /** {@return the server's log so far} */
    public String log() throws IOException {
        Path log = dir.resolve("log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** Stops the server and deletes its folder. */
    @Override
    public void close() throws IOException, InterruptedException {
        try {
            stop();
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private void stopQuietly() {
        try {
            run(
                    List.of(
                            bin.resolve("pg_ctl").toString(),
                            "-D",
                            dir.resolve("data").toString(),
                            "-m",
                            "immediate",
                            "stop"),
                    30);
        } catch (IOException | InterruptedException ignored) {
            // the JVM is ending
        }
    }

    private void run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asPostgres) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        Path out = Files.createTempFile("brizo-pg-cmd-", ".log");
        try {
            Process p = new ProcessBuilder(full)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(command.get(0) + " did not finish in " + timeoutSeconds + " s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(Path.of(command.get(0)).getFileName() + " " + command.get(command.size() - 1)
                        + " failed (" + p.exitValue() + "): " + Files.readString(out) + "\n" + log());
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static Path binDir() throws IOException {
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(b -> Integer.parseInt(
                            b.getParent().getFileName().toString().replaceAll("\\D", "0"))))
                    .orElseThrow(() -> new IOException("no /usr/lib/postgresql/*/bin/initdb: run"
                            + " test-servers/postgres/install.sh (apt-get install postgresql)"));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException(
                    "no /usr/lib/postgresql: run test-servers/postgres/install.sh (apt-get install" + " postgresql)",
                    e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
