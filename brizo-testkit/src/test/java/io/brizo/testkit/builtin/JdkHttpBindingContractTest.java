package io.brizo.testkit.builtin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.brizo.Brizo;
import io.brizo.http.BrizoHttpServer;
import io.brizo.testkit.HttpBindingContract;
import io.brizo.testkit.RawHttp;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;

/** Runs the HTTP binding contract against core's JDK server binding, {@link BrizoHttpServer}. */
class JdkHttpBindingContractTest extends HttpBindingContract {
    private BrizoHttpServer server;

    @Override
    protected URI start(Brizo brizo) {
        server = BrizoHttpServer.start(brizo, new InetSocketAddress("127.0.0.1", 0), 8);
        return server.uri();
    }

    @Override
    protected void stop() {
        server.close();
    }

    @Override
    protected OptionalInt refusedByServer(ServerRefusal refusal) {
        // The JDK server parses the request target with java.net.URI before any handler runs and
        // answers a malformed escape itself; it has no limits of its own on the target or headers
        // that the API's 64 KiB would reach (brizo-core README, "JDK binding").
        return refusal == ServerRefusal.MALFORMED_PERCENT_ENCODING ? OptionalInt.of(400) : OptionalInt.empty();
    }

    @Override
    protected void checkServerRefusal(ServerRefusal refusal, int status, RawHttp.Answer answer) {
        if (refusal == ServerRefusal.MALFORMED_PERCENT_ENCODING) {
            // The JDK's own answer names a Java exception, which no handler or filter can change:
            // pinned exactly, so that a JDK that changes it is noticed (as in core's JdkBindingTest).
            assertEquals(400, answer.status(), answer::toString);
            assertEquals("text/html", answer.header("Content-Type").orElseThrow(), answer::toString);
            assertEquals(
                    "<h1>400 Bad Request</h1>URISyntaxException thrown",
                    new String(answer.body(), StandardCharsets.ISO_8859_1));
            return;
        }
        super.checkServerRefusal(refusal, status, answer);
    }
}
