// Starts the GOV.UK Frontend and MoJ Frontend components. Progressive
// enhancement only: every page works without JavaScript.
import { initAll as govukInitAll } from '/assets/govuk/govuk-frontend.min.js'
import { initAll as mojInitAll } from '/assets/moj/moj-frontend.min.js'

govukInitAll()
mojInitAll()
