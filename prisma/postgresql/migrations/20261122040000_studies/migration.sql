-- Studies: participants with their condition and consent, append-only feedback and telemetry,
-- researcher sessions; chats belong to a participation, assistant replies record their condition.

-- AlterTable
ALTER TABLE "Chat" ADD COLUMN "participantId" TEXT;

-- AlterTable
ALTER TABLE "Message" ADD COLUMN "condition" TEXT;

-- CreateTable
CREATE TABLE "Participant" (
    "id" TEXT NOT NULL,
    "studyId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "condition" TEXT,
    "prolificPid" TEXT,
    "externalStudyId" TEXT,
    "externalSessionId" TEXT,
    "enrolledAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "consentStatus" TEXT NOT NULL,
    "consentAt" TIMESTAMP(3),
    "consentTextSha256" TEXT,
    "startedAt" TIMESTAMP(3),

    CONSTRAINT "Participant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Feedback" (
    "id" SERIAL NOT NULL,
    "messageId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "rating" TEXT,
    "comment" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Feedback_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ParticipantEvent" (
    "id" SERIAL NOT NULL,
    "userId" TEXT NOT NULL,
    "participantId" TEXT,
    "chatId" TEXT,
    "messageId" TEXT,
    "kind" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "clientTime" TIMESTAMP(3),
    "serverTime" TIMESTAMP(3) NOT NULL,
    "data" TEXT NOT NULL,

    CONSTRAINT "ParticipantEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ResearcherSession" (
    "id" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ResearcherSession_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Chat_participantId_idx" ON "Chat"("participantId");

-- CreateIndex
CREATE INDEX "Participant_studyId_condition_idx" ON "Participant"("studyId", "condition");

-- CreateIndex
CREATE UNIQUE INDEX "Participant_studyId_userId_key" ON "Participant"("studyId", "userId");

-- CreateIndex
CREATE INDEX "Feedback_messageId_createdAt_idx" ON "Feedback"("messageId", "createdAt");

-- CreateIndex
CREATE INDEX "ParticipantEvent_participantId_serverTime_idx" ON "ParticipantEvent"("participantId", "serverTime");

-- CreateIndex
CREATE INDEX "ParticipantEvent_chatId_serverTime_idx" ON "ParticipantEvent"("chatId", "serverTime");

-- CreateIndex
CREATE INDEX "ParticipantEvent_userId_serverTime_idx" ON "ParticipantEvent"("userId", "serverTime");

-- CreateIndex
CREATE INDEX "ResearcherSession_expiresAt_idx" ON "ResearcherSession"("expiresAt");

-- AddForeignKey
ALTER TABLE "Chat" ADD CONSTRAINT "Chat_participantId_fkey" FOREIGN KEY ("participantId") REFERENCES "Participant"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Participant" ADD CONSTRAINT "Participant_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Feedback" ADD CONSTRAINT "Feedback_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "Message"("id") ON DELETE CASCADE ON UPDATE CASCADE;
