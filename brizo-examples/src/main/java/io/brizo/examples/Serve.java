package io.brizo.examples;

import io.brizo.Brizo;
import io.brizo.auth.LinkLedger;
import io.brizo.auth.NonceStore;
import io.brizo.http.BrizoHttpServer;
import io.brizo.internal.CoreSettings;
import io.brizo.internal.compute.ComputePolicy;
import io.brizo.internal.config.BrizoIni;
import io.brizo.metrics.MicrometerBinding;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ComputeBackend;
import io.brizo.spi.ServiceAgreementVerifier;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageDriver;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a publisher from configuration on embedded Jetty 12 (see {@link JettyServe}): environment
 * variables, optionally a properties file given with {@code --config FILE} (its values win over
 * the environment), or the Python Brizo's {@code config.ini} (given with {@code --config}, by
 * {@code CONFIG_FILE}, or found in the working directory, as the original looked for it; the
 * environment wins over it). {@code --help} lists every setting.
 */
final class Serve {
    private static final Logger LOG = LoggerFactory.getLogger(Serve.class);
    private static final String USAGE =
            "usage: java -jar brizo-examples.jar serve [--config FILE.properties|config.ini] [--help]";

    private Serve() {}

    static void run(String[] args) throws InterruptedException {
        Settings.Builder builder = Settings.builder().environment(System.getenv());
        Path configFile = null;
        for (int i = 0; i < args.length; i++) {
            if ("--help".equals(args[i]) || "-h".equals(args[i])) {
                help(System.out);
                System.exit(0);
            } else if ("--config".equals(args[i]) && i + 1 < args.length) {
                configFile = Path.of(args[++i]);
            } else {
                System.err.println("unknown argument " + args[i] + "; " + USAGE);
                System.exit(2);
            }
        }
        Brizo brizo = null;
        Running server;
        try {
            if (configFile == null) {
                configFile =
                        BrizoIni.defaultLocation(System.getenv(), Path.of("")).orElse(null);
            }
            if (configFile != null) {
                builder.configFile(configFile);
                LOG.info("settings from {}", configFile.getFileName());
            }
            Settings settings = builder.build();
            ServeSettings.Config config = ServeSettings.config(settings);
            PrometheusMeterRegistry registry =
                    config.metrics() ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) : null;
            Brizo.Builder facade = Brizo.builder().settings(settings).applicationSettings(ServeSettings.ALL);
            if (registry != null) {
                facade.metrics(MicrometerBinding.of(registry));
            }
            brizo = facade.discover().build();
            if (config.jdkServer()) {
                BrizoHttpServer jdk = BrizoHttpServer.start(
                        brizo,
                        new InetSocketAddress(config.host(), config.port()),
                        config.threads(),
                        config.headerTimeout());
                server = new Running(List.of(jdk.uri()), jdk::close);
            } else {
                JettyServe jetty = new JettyServe(brizo, config, registry);
                startOrExplain(jetty, config);
                server = new Running(jetty.uris(), jetty::stop);
            }
        } catch (BrizoException e) {
            if (brizo != null) {
                brizo.close();
            }
            System.err.println("Brizo cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Brizo facade = brizo;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            LOG.info("stopping: no new connections; draining requests in flight");
                            try {
                                server.stop().run();
                            } catch (Exception e) {
                                LOG.warn("the HTTP server did not stop cleanly: {}", e.toString());
                            }
                            facade.close();
                            LOG.info("stopped");
                            stopped.countDown();
                        },
                        "brizo-shutdown"));
        for (URI uri : server.uris()) {
            System.out.println("Brizo listening on " + uri);
        }
        System.out.flush();
        stopped.await();
    }

    /** A started HTTP server: where it listens, and how it stops (draining where it can). */
    private record Running(List<URI> uris, Stop stop) {}

    @FunctionalInterface
    private interface Stop {
        void run() throws Exception;
    }

    private static void startOrExplain(JettyServe server, ServeSettings.Config config) {
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // it did not start; nothing more to stop
            }
            Throwable cause = e;
            while (cause.getCause() != null && !(cause instanceof BindException)) {
                cause = cause.getCause();
            }
            if (cause instanceof BindException) {
                throw BrizoException.configuration("cannot listen on " + config.host() + " port " + config.port()
                        + (config.httpPort() >= 0 ? " or " + config.httpPort() : "") + " (" + cause.getMessage()
                        + "); check BRIZO_HOST, BRIZO_PORT and BRIZO_HTTP_PORT, or pick a free port");
            }
            throw BrizoException.configuration(
                    "the HTTP server cannot start: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** Prints every setting the modules on the class path declare, with default and meaning. */
    static void help(PrintStream out) {
        out.println(USAGE);
        out.println();
        out.println(
                "Runs a publisher on Jetty (or the JDK's server). Settings come from environment variables and from the properties");
        out.println("file given with --config (which wins); names are as below. Secret values are never printed.");
        out.println();
        out.println(
                "The Python Brizo's config.ini ([keeper-contracts], [resources], [osmosis]) is read too: given with --config");
        out.println(
                "(a name ending in .ini, or [section] headers), named by CONFIG_FILE, or as config.ini in the working directory.");
        out.println("Environment variables win over it, as in the original. Its keys and the settings they set:");
        for (String key : BrizoIni.knownKeys()) {
            out.println("  " + key + " -> "
                    + BrizoIni.settingFor(key).orElse("not used (a warning at start says what replaces it)"));
        }
        Map<String, List<SettingKey>> groups = new LinkedHashMap<>();
        groups.put("serve (HTTP server)", ServeSettings.ALL);
        groups.put("core", CoreSettings.ALL);
        groups.put("compute policy", ComputePolicy.KEYS);
        ClassLoader loader = Serve.class.getClassLoader();
        for (StorageDriver.Factory f : ServiceLoader.load(StorageDriver.Factory.class, loader)) {
            groups.put("storage driver " + f.name(), f.settingKeys());
        }
        for (ServiceAgreementVerifier.Factory f : ServiceLoader.load(ServiceAgreementVerifier.Factory.class, loader)) {
            groups.put("verifier " + f.name(), f.settingKeys());
        }
        for (ComputeBackend.Factory f : ServiceLoader.load(ComputeBackend.Factory.class, loader)) {
            groups.put("compute backend " + f.name(), f.settingKeys());
        }
        for (NonceStore.Factory f : ServiceLoader.load(NonceStore.Factory.class, loader)) {
            groups.put("nonce store " + f.name(), f.settingKeys());
        }
        for (LinkLedger.Factory f : ServiceLoader.load(LinkLedger.Factory.class, loader)) {
            // A module that keeps nonces too (a database) declares the same keys: listed once.
            List<SettingKey> listed =
                    groups.values().stream().flatMap(List::stream).toList();
            groups.put(
                    "link ledger " + f.name(),
                    f.settingKeys().stream().filter(k -> !listed.contains(k)).toList());
        }
        groups.forEach((group, keys) -> {
            if (keys.isEmpty()) {
                return;
            }
            out.println();
            out.println(group + ":");
            for (SettingKey k : keys) {
                String dflt = k.defaultValue() == null ? "-" : k.defaultValue();
                out.println("  " + k.name() + (k.secret() ? "  (secret)" : "  (default: " + dflt + ")"));
                out.println("      " + k.description());
            }
        });
    }
}
