// <ComponentTimeline timeline={await loadComponentTimeline({ componentId })} /> on the component page.
// The loader (./load-component-timeline) runs on the server only, so it is not re-exported here.
export { ComponentTimeline } from "./component-timeline";
