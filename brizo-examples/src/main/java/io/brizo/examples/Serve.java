package io.brizo.examples;

import io.brizo.Brizo;
import io.brizo.http.BrizoHttpServer;
import io.brizo.spi.BrizoException;
import io.brizo.spi.Settings;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a publisher from configuration: environment variables, optionally a properties file given
 * with {@code --config FILE} (its values win over the environment).
 */
final class Serve {
    private Serve() {}

    static void run(String[] args) throws InterruptedException {
        Settings.Builder settings = Settings.builder().environment(System.getenv());
        for (int i = 0; i < args.length; i++) {
            if ("--config".equals(args[i]) && i + 1 < args.length) {
                settings.propertiesFile(Path.of(args[++i]));
            } else {
                System.err.println("unknown argument " + args[i] + "; usage: serve [--config FILE]");
                System.exit(2);
            }
        }
        Brizo brizo;
        BrizoHttpServer server;
        try {
            brizo = Brizo.builder().settings(settings.build()).discover().build();
            server = BrizoHttpServer.start(brizo);
        } catch (BrizoException e) {
            System.err.println("Brizo cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            server.close();
                            brizo.close();
                            stopped.countDown();
                        },
                        "brizo-shutdown"));
        System.out.println("Brizo listening on " + server.uri());
        System.out.flush();
        stopped.await();
    }
}
