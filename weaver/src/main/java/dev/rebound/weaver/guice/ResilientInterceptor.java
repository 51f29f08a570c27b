package dev.rebound.weaver.guice;

import dev.rebound.runtime.spi.Invoker;
import dev.rebound.runtime.spi.Passthrough;
import dev.rebound.runtime.spi.ResilientMethod;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;

/** Hands one intercepted method to its resolved policy; Guice's invocation re-runs the method. */
final class ResilientInterceptor implements MethodInterceptor {

    /** Shared and non-capturing: the context is Guice's MethodInvocation, which may proceed again. */
    private static final Invoker PROCEED = new Invoker() {
        @Override
        public Object invoke(Object context, Object[] args) throws Throwable {
            MethodInvocation invocation = (MethodInvocation) context;
            if (args != null) {
                // an attempt with arguments of its own (a stream's handler in place of the caller's):
                // Guice proceeds with the array getArguments() returns
                Object[] actual = invocation.getArguments();
                if (actual != args) {
                    System.arraycopy(args, 0, actual, 0, actual.length);
                }
            }
            return invocation.proceed();
        }

        @Override
        public Object[] arguments(Object context, Object[] args) {
            return ((MethodInvocation) context).getArguments();
        }
    };

    private final ResilientMethod policy;

    ResilientInterceptor(ResilientMethod policy) {
        this.policy = policy;
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        if (Passthrough.claim(invocation.getThis())) {
            return invocation.proceed();
        }
        return policy.execute(invocation, null, PROCEED);
    }
}
