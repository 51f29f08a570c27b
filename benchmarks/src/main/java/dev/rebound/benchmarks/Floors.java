package dev.rebound.benchmarks;

import com.google.inject.Guice;
import com.google.inject.matcher.Matchers;
import com.google.inject.name.Names;
import dev.rebound.benchmarks.woven.ClosureSubject;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.TimeUnit;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.openjdk.jmh.annotations.CompilerControl;
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
 * with an interceptor that only proceeds (under the Guice module), each kept out of line as
 * Rebound's handler and interceptor are, an AspectJ around advice that runs the method through its
 * closure (under the woven door's failure paths), and {@code Thread.sleep(0)}, which Failsafe calls before
 * every retry even when the wait is zero.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class Floors {

    String prompt = "ping";
    Model proxy;
    Model intercepted;
    Model closure;

    @Setup
    public void setUp() {
        Model target = new Subjects.Healthy();
        proxy = (Model) Proxy.newProxyInstance(Model.class.getClassLoader(), new Class<?>[] {Model.class},
                new Forward(target));
        intercepted = Guice.createInjector(binder -> {
            binder.bind(Model.class).annotatedWith(Names.named("behaviour")).toInstance(target);
            binder.bindInterceptor(Matchers.only(AnnotatedModel.class), Matchers.returns(Matchers.only(String.class)),
                    new Proceed());
        }).getInstance(AnnotatedModel.class);
        closure = new ClosureSubject(target);
    }

    /**
     * Forwards by reflection, out of line as Rebound's handler is: inlined, it would let the JIT
     * remove the argument array the proxy allocates on every call, which under Rebound escapes.
     */
    static final class Forward implements InvocationHandler {
        private final Object target;

        Forward(Object target) {
            this.target = target;
        }

        @Override
        @CompilerControl(CompilerControl.Mode.DONT_INLINE)
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }

    /** Only proceeds, out of line as Rebound's interceptor is, so Guice's invocation objects escape as there. */
    static final class Proceed implements MethodInterceptor {
        @Override
        @CompilerControl(CompilerControl.Mode.DONT_INLINE)
        public Object invoke(MethodInvocation invocation) throws Throwable {
            return invocation.proceed();
        }
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
    public String ajcClosureAlone() {
        return closure.chat(prompt);
    }

    @Benchmark
    public void threadSleepZero() throws InterruptedException {
        Thread.sleep(0);
    }
}
