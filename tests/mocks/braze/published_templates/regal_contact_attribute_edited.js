// Source: Braze documentation, repository braze-inc/braze-docs, page
//   _docs/_partners/message_orchestration/additional_channels/instant_chat/regal.md
//   (the Regal partner page, /partners/regal/), "Use cases" tab "Update profile attributes"; the sample payload is the one
//   shown just above the code. Text of the page's current version (sample numbers
//   +1555...); earlier versions (e.g. commit cb1fab940fb72507fdeb36bb0e8fb0c8509a9387)
//   show the same code, with a comma after "traits.email" in two of the payloads.
// Below this header: the JavaScript exactly as published, kept as a test vector for
// tests/mocks/braze/test_published_transformation_templates.py.
// This is an example template you can use as a starting point. Feel free to delete this entirely to start from scratch or to delete specific components as you see fit.

// Capture the key's updated property value within the 'changes' object and store this in an attributes variable that can be used in the /users/track request

const changes = payload.properties.changes.custom_properties;

const attributes = {};
for (const key in changes) {
 attributes[key] = changes[key].new_value;
}

// First, this code defines a variable, "brazecall", to build up a /users/track request
// Everything from the incoming webhook is accessible via the special variable "payload". As such, you can template in desired values in your /users/track request with JS dot notation, such as payload.x.y.z

const brazecall = {
 "attributes": [
   {
     "external_id": payload.userId,
     "_update_existing_only": false,
     ...attributes
   }
 ]
};

// After the /users/track request is assigned to brazecall, you will want to explicitly return brazecall to create an output
return brazecall;
