package io.brizo.servlet;

import io.brizo.testkit.HttpBindingContract.ServerRefusal;
import jakarta.servlet.http.HttpServlet;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.valves.ErrorReportValve;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** The servlet containers the binding is tested in, each started on 127.0.0.1 and a free port. */
enum Container {
    /** Embedded Jetty 12 (ee10) with its default limits and error pages. */
    JETTY {
        @Override
        Running start(HttpServlet servlet, String contextPath, String mapping, int threads, boolean async, Path workDir)
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
            return new Running() {
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

        @Override
        OptionalInt refuses(ServerRefusal refusal) {
            // Jetty reads the request line and the headers into a buffer of requestHeaderSize
            // (8 KiB by default) and answers what does not fit itself, with an HTML page.
            return switch (refusal) {
                case URI_TOO_LONG -> OptionalInt.of(414);
                case HEADERS_TOO_LARGE -> OptionalInt.of(431);
                default -> OptionalInt.empty();
            };
        }
    },

    /**
     * Embedded Tomcat 11 with its default limits, and an error report that shows neither the
     * exception nor the server's version, as a production setup has it.
     */
    TOMCAT {
        @Override
        Running start(HttpServlet servlet, String contextPath, String mapping, int threads, boolean async, Path workDir)
                throws Exception {
            Path base = Files.createTempDirectory(workDir, "tomcat");
            Tomcat tomcat = new Tomcat();
            tomcat.setBaseDir(base.toString());
            Connector connector = new Connector();
            connector.setPort(0);
            connector.setProperty("address", "127.0.0.1");
            connector.setProperty("maxThreads", Integer.toString(threads));
            connector.setProperty("minSpareThreads", "1");
            tomcat.setConnector(connector);
            // Tomcat's default error report answers a request it refuses itself (a request line
            // or headers over maxHttpHeaderSize) with the exception's class name, its stack trace
            // and the Tomcat version; see the README, "Containers' own answers".
            ErrorReportValve report = new ErrorReportValve();
            report.setShowReport(false);
            report.setShowServerInfo(false);
            tomcat.getHost().getPipeline().addValve(report);
            StandardContext context = (StandardContext) tomcat.addContext(contextPath, base.toString());
            // Leak detection on stop needs --add-opens and only warns about it here.
            context.setClearReferencesThreadLocals(false);
            context.setClearReferencesRmiTargets(false);
            Wrapper wrapper = Tomcat.addServlet(context, "brizo", servlet);
            wrapper.setAsyncSupported(async);
            context.addServletMappingDecoded(mapping, "brizo", false);
            tomcat.start();
            URI uri = URI.create("http://127.0.0.1:" + connector.getLocalPort() + contextPath);
            return new Running() {
                @Override
                public URI contextUri() {
                    return uri;
                }

                @Override
                public void close() {
                    try {
                        tomcat.stop();
                        tomcat.destroy();
                    } catch (org.apache.catalina.LifecycleException e) {
                        throw new IllegalStateException("cannot stop Tomcat", e);
                    }
                }
            };
        }

        @Override
        OptionalInt refuses(ServerRefusal refusal) {
            // Tomcat reads the request line and the headers into a buffer of maxHttpHeaderSize
            // (8 KiB by default) and answers what does not fit itself: 400 for both.
            return switch (refusal) {
                case URI_TOO_LONG, HEADERS_TOO_LARGE -> OptionalInt.of(400);
                default -> OptionalInt.empty();
            };
        }
    };

    /** A started container; closing it stops it. */
    interface Running extends AutoCloseable {
        /** {@return the URI of the context, for example {@code http://127.0.0.1:41234/ctx}} */
        URI contextUri();

        @Override
        void close();
    }

    /**
     * Starts the container with {@code servlet} mapped to {@code mapping} in the context {@code
     * contextPath} ("" for the root), serving requests with at most {@code threads} threads, with
     * or without async support; {@code workDir} takes any files the container writes.
     */
    abstract Running start(
            HttpServlet servlet, String contextPath, String mapping, int threads, boolean async, Path workDir)
            throws Exception;

    /**
     * {@return the status this container, as started here, answers {@code refusal} with itself,
     * or empty if the request reaches the servlet} See {@link
     * io.brizo.testkit.HttpBindingContract#refusedByServer}.
     */
    abstract OptionalInt refuses(ServerRefusal refusal);
}
