// Source: Braze documentation, repository braze-inc/braze-docs, page
//   _docs/_partners/message_personalization/dynamic_content/visual_and_interactive_content/seen.md
//   ("Step 2: Create data transformation", step 5; its test payload is step 6's callback).
// Below this header: the JavaScript exactly as published, kept as a test vector for
// tests/mocks/braze/test_published_transformation_templates.py.
let brazecall = {
  "attributes": [
    {
      "braze_id": payload.customer_id,
      "_update_existing_only": true,
      "landing_page_url": payload.landing_page_url,
      "email_thumbnail_url": payload.email_thumbnail_url
    }
  ]
};
return brazecall;
