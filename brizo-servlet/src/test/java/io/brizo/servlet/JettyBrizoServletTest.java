package io.brizo.servlet;

import jakarta.servlet.http.HttpServlet;
import java.net.URI;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** The servlet in embedded Jetty 12 (ee10). */
class JettyBrizoServletTest extends BrizoServletTestBase {
    @Override
    ServletContainer start(HttpServlet servlet, String contextPath, String mapping, int threads, boolean async)
            throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool(threads, 2);
        pool.setName("jetty-test");
        Server server = new Server(pool);
        // One acceptor and one selector: the rest of the pool serves requests.
        ServerConnector connector = new ServerConnector(server, 1, 1);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath(contextPath.isEmpty() ? "/" : contextPath);
        ServletHolder holder = new ServletHolder("brizo", servlet);
        holder.setAsyncSupported(async);
        context.addServlet(holder, mapping);
        server.setHandler(context);
        server.start();
        URI uri = URI.create("http://127.0.0.1:" + connector.getLocalPort() + contextPath);
        return new ServletContainer() {
            @Override
            public URI contextUri() {
                return uri;
            }

            @Override
            public void close() {
                try {
                    server.stop();
                } catch (Exception e) {
                    throw new IllegalStateException("cannot stop Jetty", e);
                }
            }
        };
    }
}
