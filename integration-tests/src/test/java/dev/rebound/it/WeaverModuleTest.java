package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.annotations.Retry;
import dev.rebound.runtime.Rebound;
import dev.rebound.weaver.Woven;
import dev.rebound.weaver.processor.ReboundProcessor;
import java.io.InputStream;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import javax.annotation.processing.Processor;
import org.aspectj.lang.JoinPoint;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/**
 * The weaver's module descriptor, read from the weaver this build made (its jar or its classes): the
 * packages it exports, what it requires and the annotation processor it provides; and that it resolves,
 * as a module, against the real runtime, annotations, aspectjrt and SLF4J, with its processor found
 * by the service loader. Every other test here uses the weaver on the class path, where the descriptor
 * is ignored.
 */
class WeaverModuleTest {

    @Test
    void exportsItsPublicPackagesAndWhatWovenCodeCalls() throws Exception {
        ModuleDescriptor weaver = descriptor(location(Woven.class));

        assertThat(weaver.name()).isEqualTo("dev.rebound.weaver");
        assertThat(weaver.exports()).allSatisfy(e -> assertThat(e.isQualified()).isFalse());
        assertThat(weaver.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("dev.rebound.weaver", "dev.rebound.weaver.aspectj",
                        "dev.rebound.weaver.guice", "dev.rebound.weaver.processor", "dev.rebound.weaver.internal");
        assertThat(weaver.packages()).containsExactlyInAnyOrder("dev.rebound.weaver", "dev.rebound.weaver.aspectj",
                "dev.rebound.weaver.guice", "dev.rebound.weaver.processor", "dev.rebound.weaver.internal");
        assertThat(weaver.requires().stream().filter(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE))
                .map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("dev.rebound.runtime", "org.aspectj.runtime");
        assertThat(weaver.requires().stream().filter(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC))
                .map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("com.google.guice", "aopalliance", "jakarta.inject", "java.compiler");
        assertThat(weaver.provides()).singleElement().satisfies(p -> {
            assertThat(p.service()).isEqualTo(Processor.class.getName());
            assertThat(p.providers()).containsExactly(ReboundProcessor.class.getName());
        });
    }

    @Test
    void resolvesAsAModuleAndItsProcessorIsAService() throws Exception {
        ModuleFinder jars = ModuleFinder.of(location(Woven.class), location(Rebound.class), location(Retry.class),
                location(JoinPoint.class), location(Logger.class));
        Configuration config = ModuleLayer.boot().configuration()
                .resolveAndBind(jars, ModuleFinder.of(), Set.of("dev.rebound.weaver"));
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(config, ClassLoader.getPlatformClassLoader());

        assertThat(layer.modules().stream().map(Module::getName).collect(Collectors.toSet()))
                .contains("dev.rebound.weaver", "dev.rebound.runtime", "dev.rebound.annotations",
                        "org.aspectj.runtime", "org.slf4j");
        List<Processor> processors = ServiceLoader.load(layer, Processor.class).stream()
                .map(ServiceLoader.Provider::get).toList();
        assertThat(processors).singleElement().satisfies(p -> {
            assertThat(p.getClass().getName()).isEqualTo(ReboundProcessor.class.getName());
            assertThat(p.getClass().getModule().getName()).isEqualTo("dev.rebound.weaver");
            assertThat(p.getClass()).isNotSameAs(ReboundProcessor.class); // the layer's, not the class path's
        });
        Module runtime = layer.findModule("dev.rebound.runtime").orElseThrow();
        assertThat(runtime.isExported("dev.rebound.runtime.internal")).isFalse();
        assertThat(layer.findModule("dev.rebound.weaver").orElseThrow().canRead(runtime)).isTrue();
    }

    @Test
    void theWeaverCarriesNoBuildMachinePaths() throws Exception {
        Path weaver = location(Woven.class);

        boolean argumentFile;
        if (Files.isDirectory(weaver)) {
            argumentFile = Files.exists(weaver.resolve("builddef.lst"));
        } else {
            try (JarFile jar = new JarFile(weaver.toFile())) {
                argumentFile = jar.getEntry("builddef.lst") != null;
            }
        }

        assertThat(argumentFile).as("ajc's argument file (it lists this machine's paths) in " + weaver).isFalse();
    }

    /**
     * The descriptor does not read SLF4J (the weaver logs through the runtime's {@code Policies.warn}):
     * a weaver class that named SLF4J itself would fail with an {@code IllegalAccessError} on the module
     * path, at the warning it exists to give, and its javadoc would not build.
     */
    @Test
    void noWeaverClassNamesSlf4jWhichItsDescriptorDoesNotRead() throws Exception {
        Path weaver = location(Woven.class);
        List<String> naming = new java.util.ArrayList<>();
        byte[] slf4j = "org/slf4j/".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (Files.isDirectory(weaver)) {
            try (var files = Files.walk(weaver)) {
                for (Path f : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                    if (contains(Files.readAllBytes(f), slf4j)) {
                        naming.add(weaver.relativize(f).toString());
                    }
                }
            }
        } else {
            try (JarFile jar = new JarFile(weaver.toFile())) {
                for (var e : java.util.Collections.list(jar.entries())) {
                    if (e.getName().endsWith(".class")) {
                        try (InputStream in = jar.getInputStream(e)) {
                            if (contains(in.readAllBytes(), slf4j)) {
                                naming.add(e.getName());
                            }
                        }
                    }
                }
            }
        }

        assertThat(descriptor(weaver).requires().stream().map(ModuleDescriptor.Requires::name)).doesNotContain("org.slf4j");
        assertThat(naming).as("weaver classes naming org.slf4j").isEmpty();
        ModuleFinder jars = ModuleFinder.of(weaver, location(Rebound.class), location(Retry.class),
                location(JoinPoint.class), location(Logger.class));
        Configuration config = ModuleLayer.boot().configuration()
                .resolveAndBind(jars, ModuleFinder.of(), Set.of("dev.rebound.weaver"));
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(config, ClassLoader.getPlatformClassLoader());
        assertThat(Class.forName("dev.rebound.weaver.guice.WovenOnGlobalSettings", true,
                layer.findLoader("dev.rebound.weaver")).getModule().getName()).isEqualTo("dev.rebound.weaver");
    }

    private static boolean contains(byte[] bytes, byte[] part) {
        outer:
        for (int i = 0; i + part.length <= bytes.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (bytes[i + j] != part[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** The jar or classes directory {@code type} was loaded from. */
    private static Path location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static ModuleDescriptor descriptor(Path jarOrDirectory) throws Exception {
        if (Files.isDirectory(jarOrDirectory)) {
            try (InputStream in = Files.newInputStream(jarOrDirectory.resolve("module-info.class"))) {
                return ModuleDescriptor.read(in);
            }
        }
        return ModuleFinder.of(jarOrDirectory).findAll().iterator().next().descriptor();
    }
}
