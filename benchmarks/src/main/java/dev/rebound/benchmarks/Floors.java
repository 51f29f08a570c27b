package dev.rebound.benchmarks;

import com.google.inject.Guice;
import com.google.inject.matcher.Matchers;
import com.google.inject.name.Names;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.TimeUnit;
import org.aopalliance.intercept.MethodInvocation;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the doors' machinery costs with no policy at all, to tell it apart from Rebound's own cost:
 * a JDK proxy forwarding by reflection (under {@code Rebound.wrap}), Guice's method interception
 * with an interceptor that only proceeds (under the Guice module), and {@code Thread.sleep(0)},
 * which resilience4j and Failsafe call between attempts even when the wait is zero.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class Floors {

    String prompt = "ping";
    Model proxy;
    Model intercepted;

    @Setup
    public void setUp() {
        Model target = new Subjects.Healthy();
        InvocationHandler forward = (p, method, args) -> {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        proxy = (Model) Proxy.newProxyInstance(Model.class.getClassLoader(), new Class<?>[] {Model.class},
                forward);
        intercepted = Guice.createInjector(binder -> {
            binder.bind(Model.class).annotatedWith(Names.named("behaviour")).toInstance(target);
            binder.bindInterceptor(Matchers.only(AnnotatedModel.class), Matchers.returns(Matchers.only(String.class)),
                    MethodInvocation::proceed);
        }).getInstance(AnnotatedModel.class);
    }

    @Benchmark
    public String jdkProxyAlone() {
        return proxy.chat(prompt);
    }

    @Benchmark
    public String guiceInterceptorAlone() {
        return intercepted.chat(prompt);
    }

    @Benchmark
    public void threadSleepZero() throws InterruptedException {
        Thread.sleep(0);
    }
}
