package io.brizo.testkit;

import io.brizo.Brizo;
import io.brizo.http.BrizoHttpServer;
import io.brizo.spi.Settings;
import java.util.concurrent.CountDownLatch;

/**
 * A publisher server for tests that run it as a separate JVM (see {@link PublisherProcess}):
 * settings from the environment, every driver on the class path discovered, and the line {@code
 * Brizo listening on <uri>} on standard output once it accepts connections.
 */
public final class PublisherMain {
    private PublisherMain() {}

    /** Starts the publisher and serves until the process is stopped. */
    public static void main(String[] args) throws InterruptedException {
        Brizo brizo = Brizo.builder()
                .settings(Settings.builder().environment(System.getenv()).build())
                .discover()
                .build();
        BrizoHttpServer server = BrizoHttpServer.start(brizo);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            brizo.close();
            stopped.countDown();
        }));
        System.out.println("Brizo listening on " + server.uri());
        System.out.flush();
        stopped.await();
    }
}
