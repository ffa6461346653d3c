package io.brizo.servlet;

import io.brizo.Brizo;
import io.brizo.testkit.HttpBindingContract;
import java.net.URI;
import java.util.OptionalInt;

/**
 * Runs the HTTP binding contract against {@link BrizoServlet} in a container, in the context and
 * with the mapping a subclass gives, with async support.
 */
abstract class ServletHttpBindingContractTest extends HttpBindingContract {
    private final Container container;
    private final String contextPath;
    private final String mapping;
    private Container.Running running;

    /** The mapping must be a path mapping, {@code /*} or {@code /prefix/*}. */
    ServletHttpBindingContractTest(Container container, String contextPath, String mapping) {
        if (!mapping.endsWith("/*")) {
            throw new IllegalArgumentException("a path mapping ending in /*: " + mapping);
        }
        this.container = container;
        this.contextPath = contextPath;
        this.mapping = mapping;
    }

    @Override
    protected URI start(Brizo brizo) throws Exception {
        running = container.start(new BrizoServlet(brizo), contextPath, mapping, 8, true, directory);
        // The API's routes are relative to the servlet's path: the mapping without its "/*".
        return URI.create(running.contextUri() + mapping.substring(0, mapping.length() - 2));
    }

    @Override
    protected void stop() {
        running.close();
    }

    @Override
    protected OptionalInt refusedByServer(ServerRefusal refusal) {
        return container.refuses(refusal);
    }
}
