package dev.rebound.weaver.guice;

import com.google.inject.Binding;
import com.google.inject.Key;
import com.google.inject.multibindings.MapBinderBinding;
import com.google.inject.multibindings.MultibinderBinding;
import com.google.inject.multibindings.MultibindingsTargetVisitor;
import com.google.inject.multibindings.OptionalBinderBinding;
import com.google.inject.spi.DefaultBindingTargetVisitor;
import com.google.inject.spi.Element;
import com.google.inject.spi.PrivateElements;
import java.util.ArrayList;
import java.util.List;

/**
 * The bindings Guice's {@code MapBinder}, {@code Multibinder} and {@code OptionalBinder} make for
 * themselves (the map, the set, the optional, a map's {@code Map.Entry<K, Provider<V>>} per entry, the
 * binding of an optional's type), found through Guice's multibindings SPI in a module's elements. They
 * belong to the extension, which reads them back as its own, so {@link ReboundModule#wrapping} never
 * rewrites them; the values a module adds ({@code addBinding()}, {@code setDefault()},
 * {@code setBinding()}, {@code @ProvidesIntoMap}/{@code Set}/{@code Optional}) are the user's bindings, and
 * are wrapped as any binding is.
 */
final class MultibinderParts {

    /** Each multibinding of the elements: a {@link MapBinderBinding}, {@link MultibinderBinding} or {@link OptionalBinderBinding}. */
    private final List<Object> multibindings = new ArrayList<>();

    /** The multibindings among {@code elements}, those of their private modules included. */
    MultibinderParts(List<Element> elements) {
        collect(elements);
    }

    private void collect(List<Element> elements) {
        for (Element element : elements) {
            if (element instanceof PrivateElements) {
                collect(((PrivateElements) element).getElements());
            } else if (element instanceof Binding<?>) {
                Object multibinding = ((Binding<?>) element).acceptTargetVisitor(Finder.INSTANCE);
                if (multibinding != null) {
                    multibindings.add(multibinding);
                }
            }
        }
    }

    /** Whether {@code binding} is one a multibinding makes for itself, not a value a module added to it. */
    boolean isOwnBinding(Binding<?> binding) {
        for (Object m : multibindings) {
            if (ownBinding(m, binding)) {
                return true;
            }
        }
        return false;
    }

    private static boolean ownBinding(Object multibinding, Binding<?> binding) {
        Key<?> key = binding.getKey();
        if (multibinding instanceof MapBinderBinding<?> map) {
            return map.containsElement(binding) && !key.getTypeLiteral().equals(map.getValueTypeLiteral());
        }
        if (multibinding instanceof MultibinderBinding<?> set) {
            return set.containsElement(binding) && !key.getTypeLiteral().equals(set.getElementTypeLiteral());
        }
        OptionalBinderBinding<?> optional = (OptionalBinderBinding<?>) multibinding;
        // its own bindings carry the optional's annotation (Optional<T>, T itself); a default or an actual value
        // carries one of Guice's
        return optional.containsElement(binding) && optional.getKey().ofType(key.getTypeLiteral()).equals(key);
    }

    /** Gives the multibinding a binding is, or null. */
    private static final class Finder extends DefaultBindingTargetVisitor<Object, Object>
            implements MultibindingsTargetVisitor<Object, Object> {

        static final Finder INSTANCE = new Finder();

        @Override
        public Object visit(MultibinderBinding<?> multibinding) {
            return multibinding;
        }

        @Override
        public Object visit(MapBinderBinding<?> mapbinding) {
            return mapbinding;
        }

        @Override
        public Object visit(OptionalBinderBinding<?> optionalbinding) {
            return optionalbinding;
        }
    }
}
