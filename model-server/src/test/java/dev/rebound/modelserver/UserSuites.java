package dev.rebound.modelserver;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/** User-shaped test classes run through the JUnit launcher, as a build or an IDE runs them. */
final class UserSuites {

    private UserSuites() {
    }

    static TestExecutionSummary run(Class<?> testClass, Map<String, String> configuration) {
        return run(List.of(testClass), configuration);
    }

    /** Runs the classes in one test run, in the order of their names. */
    static TestExecutionSummary run(List<Class<?>> testClasses, Map<String, String> configuration) {
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(testClasses.stream().map(DiscoverySelectors::selectClass).toList())
                .configurationParameter("junit.jupiter.testclass.order.default", ClassOrderer.ClassName.class.getName())
                .configurationParameters(configuration).build(), listener);
        return listener.getSummary();
    }

    /** Each failure of the run as its test's display name and exception. */
    static List<String> failures(TestExecutionSummary summary) {
        return summary.getFailures().stream()
                .map(f -> f.getTestIdentifier().getDisplayName() + ": " + f.getException()).toList();
    }

    /** Whether something listens on the port of 127.0.0.1. */
    static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }
}
