package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * An interface in a package its module does not export to Rebound: {@code build()} says which line of
 * {@code module-info.java} fixes it, instead of an {@code InaccessibleObjectException} from deep in the
 * assembly. The JDK's {@code sun.nio.ch.DirectBuffer} (a public interface of a package java.base does not
 * export, implemented by every direct buffer) stands for an application's unexported package.
 */
class WrapModuleAccessTest {

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Rebound.Builder<Object> wrapDirectBuffer() throws ClassNotFoundException {
        Class type = Class.forName("sun.nio.ch.DirectBuffer");
        return Rebound.wrap(type, ByteBuffer.allocateDirect(1));
    }

    @Test
    void anInterfaceInAPackageNotExportedToReboundIsAConfigurationErrorNamingTheExportsLine() throws Exception {
        Rebound.Builder<Object> builder = wrapDirectBuffer().withRetry(RetryPolicy.builder().attempts(2).build());

        assertThatThrownBy(builder::build)
                .isInstanceOf(ReboundConfigurationException.class)
                .hasMessageContaining("Rebound.wrap(DirectBuffer): module java.base does not export package sun.nio.ch")
                .hasMessageContaining("add `exports sun.nio.ch;` to that module's module-info.java");
    }

    @Test
    void theSameErrorWithoutABuilderPolicy() throws Exception {
        assertThatThrownBy(wrapDirectBuffer()::build)
                .isInstanceOf(ReboundConfigurationException.class)
                .hasMessageContaining("does not export package sun.nio.ch");
    }

    @Test
    void aPackageOnTheClassPathIsReachable() {
        assertThat(WrapAssembly.closedPackage(Runnable.class, "Rebound.wrap(Runnable)")).isNull();
        assertThat(WrapAssembly.closedPackage(Hidden.class, "Rebound.wrap(Hidden)")).isNull();
    }

    interface Hidden {
        void run();
    }
}
