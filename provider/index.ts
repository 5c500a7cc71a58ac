// The component package's entry point. `pulumi package add` and `pulumi up` start it through the Node language host
// (`@pulumi/pulumi/cmd/run-plugin <this folder> <engine address>`); it serves KubeSphereFleet over gRPC. It exports
// nothing: an exported component would make run-plugin serve it itself, with the analyzer's schema unfinished.
import { serve } from "../src/provider/serve";

void serve(__dirname, process.argv.slice(2));
