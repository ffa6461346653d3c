import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.resource.ResourceFactory;

/**
 * Jetty 12's own static file handler, as it ships, serving a directory on 127.0.0.1: the ceiling
 * for any server built on Jetty, with no application in the way (no authorisation, no servlet).
 * Run by bench/serve-under-load.sh with the brizo-examples jar (which holds Jetty) on the class
 * path: java -cp brizo-examples.jar bench/JettyStatic.java DIRECTORY PORT
 */
public class JettyStatic {
    public static void main(String[] args) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(Integer.parseInt(args[1]));
        server.addConnector(connector);
        ResourceHandler files = new ResourceHandler();
        files.setBaseResource(ResourceFactory.of(server).newResource(args[0]));
        server.setHandler(files);
        server.start();
        System.out.println("Jetty static listening on http://127.0.0.1:" + connector.getLocalPort());
        server.join();
    }
}
