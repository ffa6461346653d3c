package io.brizo.servlet;

import jakarta.servlet.http.HttpServlet;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;

/** The servlet in embedded Tomcat 11. */
class TomcatBrizoServletTest extends BrizoServletTestBase {
    @Override
    ServletContainer start(HttpServlet servlet, String contextPath, String mapping, int threads, boolean async)
            throws Exception {
        Path base = Files.createTempDirectory(dir, "tomcat");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("maxThreads", Integer.toString(threads));
        connector.setProperty("minSpareThreads", "1");
        tomcat.setConnector(connector);
        StandardContext context = (StandardContext) tomcat.addContext(contextPath, base.toString());
        // Leak detection on stop needs --add-opens and only warns about it here.
        context.setClearReferencesThreadLocals(false);
        context.setClearReferencesRmiTargets(false);
        Wrapper wrapper = Tomcat.addServlet(context, "brizo", servlet);
        wrapper.setAsyncSupported(async);
        context.addServletMappingDecoded(mapping, "brizo", false);
        tomcat.start();
        URI uri = URI.create("http://127.0.0.1:" + connector.getLocalPort() + contextPath);
        return new ServletContainer() {
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
}
