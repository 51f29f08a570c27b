package dev.rebound.it;

import dev.rebound.annotations.Retry;
import dev.rebound.runtime.spi.Policies;
import dev.rebound.weaver.aspectj.ResilientMethods;
import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.aspectj.bridge.IMessage;
import org.aspectj.bridge.MessageHandler;
import org.aspectj.lang.JoinPoint;
import org.aspectj.tools.ajc.Main;

/**
 * Compiles a user's source as a user's build does: javac with rebound-weaver on the class path (and so
 * its annotation processor), or with processing off to load the classes and read them at run time; or ajc
 * with rebound-weaver on the aspect path ({@link #ajcErrors}).
 */
final class Javac {

    /**
     * What a user's build has on its class path: the weaver jar brings the runtime and annotations; and
     * langchain4j's core, for a user's streaming methods, and its AiServices, for their {@code Result}.
     */
    static final String CLASSPATH = Stream.of(Retry.class, Policies.class, JoinPoint.class,
            ResilientMethods.class, org.slf4j.Logger.class,
            dev.langchain4j.model.chat.response.StreamingChatResponseHandler.class,
            dev.langchain4j.service.Result.class).map(Javac::location)
            .collect(Collectors.joining(File.pathSeparator));

    private final Path dir;

    Javac(Path dir) {
        this.dir = dir;
    }

    Path write(String className, String source) throws IOException {
        Path file = dir.resolve(className + ".java");
        Files.writeString(file, source);
        return file;
    }

    /** javac's errors, with rebound-weaver (and so its annotation processor) on the class path. */
    List<String> errors(String className, String source) throws IOException {
        return compile(write(className, source), dir.resolve("javac"), List.of());
    }

    /** javac's warnings, with rebound-weaver (and so its annotation processor) on the class path. */
    List<String> warnings(String className, String source) throws IOException {
        return diagnostics(write(className, source), dir.resolve("javac"), List.of(), Diagnostic.Kind.WARNING);
    }

    /**
     * The classes of {@code source}, compiled with processing off (so bad values get through, as they
     * would from a build without the weaver) and loaded over the test's own class loader.
     */
    ClassLoader load(String className, String source) throws IOException {
        Path out = dir.resolve("plain");
        List<String> errors = compile(write(className, source), out, List.of("-proc:none"));
        if (!errors.isEmpty()) {
            throw new IllegalStateException("does not compile: " + errors);
        }
        try {
            return new URLClassLoader(new URL[] {out.toUri().toURL()}, Javac.class.getClassLoader());
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The classes of {@code source}, compiled with processing off, loaded over the platform class loader:
     * apart from the test's own classes, so a class of the same name in the test's class path does not
     * stand in for them.
     */
    ClassLoader loadAlone(String className, String source) throws IOException {
        Path out = dir.resolve("alone");
        List<String> errors = compile(write(className, source), out, List.of("-proc:none"));
        if (!errors.isEmpty()) {
            throw new IllegalStateException("does not compile: " + errors);
        }
        return new URLClassLoader(new URL[] {out.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
    }

    /**
     * The classes of {@code source} compiled into the directory {@code out} (over what earlier calls put
     * there), with the weaver's annotation processor or without it, loaded over the test's class loader.
     */
    ClassLoader loadFrom(String out, String className, String source, boolean processing) throws IOException {
        Path dirOut = dir.resolve(out);
        List<String> errors = compile(write(className, source), dirOut, processing ? List.of() : List.of("-proc:none"));
        if (!errors.isEmpty()) {
            throw new IllegalStateException("does not compile: " + errors);
        }
        return new URLClassLoader(new URL[] {dirOut.toUri().toURL()}, Javac.class.getClassLoader());
    }

    /**
     * javac's errors and warnings for {@code source} compiled into {@code out} with the processor, the
     * directories {@code classPath} added to the class path: {@code out} itself for a build's incremental
     * step (an IDE, Maven with {@code useIncrementalCompilation=false}), which finds the last build's classes
     * there, the generated ones included; a library's classes.
     */
    List<String> compileAgainst(String out, String className, String source, Path... classPath) throws IOException {
        StringBuilder cp = new StringBuilder(CLASSPATH);
        for (Path p : classPath) {
            cp.append(File.pathSeparator).append(p);
        }
        return diagnostics(write(className, source), dir.resolve(out), cp.toString(), List.of(), Diagnostic.Kind.ERROR,
                Diagnostic.Kind.WARNING);
    }

    /** javac's errors and warnings with the processor and these options added ({@code -Xlint:all}, say). */
    List<String> diagnosticsWith(String className, String source, String... options) throws IOException {
        return diagnostics(write(className, source), dir.resolve("lint"), CLASSPATH, List.of(options),
                Diagnostic.Kind.ERROR, Diagnostic.Kind.WARNING);
    }

    private static List<String> compile(Path file, Path out, List<String> extra) throws IOException {
        return diagnostics(file, out, extra, Diagnostic.Kind.ERROR);
    }

    private static List<String> diagnostics(Path file, Path out, List<String> extra, Diagnostic.Kind kind)
            throws IOException {
        return diagnostics(file, out, CLASSPATH, extra, kind);
    }

    private static List<String> diagnostics(Path file, Path out, String classPath, List<String> extra,
            Diagnostic.Kind... kinds) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Files.createDirectories(out);
        // -s: the processor's generated sources beside the classes (without it they may land in the working directory)
        List<String> options = new ArrayList<>(List.of("--release", "17", "-classpath", classPath, "-d",
                out.toString(), "-s", out.toString()));
        options.addAll(extra);
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
            javac.getTask(null, files, diagnostics, options, null, files.getJavaFileObjects(file)).call();
        }
        return diagnostics.getDiagnostics().stream().filter(d -> List.of(kinds).contains(d.getKind()))
                .map(d -> d.getMessage(Locale.ROOT)).toList();
    }

    /**
     * ajc's errors for {@code sources} (Java and aspects of the application's own), woven with rebound-weaver on
     * the aspect path into {@code out}, annotation processing off, as a user's ajc build weaves them.
     */
    static List<String> ajcErrors(Path out, List<Path> sources) {
        List<String> args = new ArrayList<>(List.of("-17", "-proc:none", "-classpath", CLASSPATH, "-aspectpath",
                location(ResilientMethods.class), "-d", out.toString()));
        sources.forEach(source -> args.add(source.toString()));
        MessageHandler messages = new MessageHandler();
        new Main().run(args.toArray(String[]::new), messages);
        return Arrays.stream(messages.getMessages(IMessage.ERROR, true)).map(IMessage::getMessage).toList();
    }

    static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
