package dev.tresor.kms.kmip;

import dev.tresor.kms.kmip.ttlv.TtlvXml;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.w3c.dom.Element;

/** The OASIS test-case files under {@code ${tresor.shared}/testdata/kmip}; missing data fails the test. */
public final class OasisTestCases {
    /** The n-th request of a file and its n-th response (a few files send two requests before the first answer). */
    public record Exchange(Element request, Element response) {
    }

    private OasisTestCases() {
    }

    public static Path root() {
        String shared = System.getProperty("tresor.shared");
        if (shared == null) {
            throw new IllegalStateException("system property tresor.shared is not set");
        }
        Path root = Path.of(shared, "testdata", "kmip");
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("KMIP test data missing: " + root);
        }
        return root;
    }

    /** Every XML file under the given version folders ("1.4", "2.1/mandatory", ...), sorted. */
    public static List<Path> files(String... folders) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String folder : folders) {
            try (Stream<Path> walk = Files.walk(root().resolve(folder))) {
                walk.filter(p -> p.toString().endsWith(".xml")).sorted().forEach(files::add);
            }
        }
        if (files.isEmpty()) {
            throw new IllegalStateException("no test-case files in " + List.of(folders));
        }
        return files;
    }

    public static String name(Path file) {
        return root().relativize(file).toString();
    }

    public static List<Exchange> exchanges(Path file) throws IOException {
        Element root;
        try (InputStream in = Files.newInputStream(file)) {
            root = TtlvXml.parseDocument(in).getDocumentElement();
        }
        List<Element> requests = new ArrayList<>();
        List<Element> responses = new ArrayList<>();
        for (Element message : TtlvXml.childElements(root)) {
            switch (message.getTagName()) {
                case "RequestMessage" -> requests.add(message);
                case "ResponseMessage" -> responses.add(message);
                default -> throw new IOException(file + ": unexpected element " + message.getTagName());
            }
        }
        if (requests.size() != responses.size()) {
            throw new IOException(file + ": " + requests.size() + " requests but " + responses.size() + " responses");
        }
        List<Exchange> exchanges = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            exchanges.add(new Exchange(requests.get(i), responses.get(i)));
        }
        return exchanges;
    }
}
